"""Usage records: one row per answered request, written in batches off the request path.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_records",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
        ),
        # No foreign keys: a record outlives the key or client it names, and
        # batches must never fail on a row deleted meanwhile.
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("credential_id", sa.String(40), nullable=True),
        sa.Column("operation_id", sa.String(120), nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("request_bytes", sa.BigInteger(), nullable=False),
        sa.Column("response_bytes", sa.BigInteger(), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("request_id", sa.String(80), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
    )
    op.create_index("ix_usage_records_org_day", "usage_records", ["organization_id", "day"])
    op.create_index("ix_usage_records_day", "usage_records", ["day"])


def downgrade() -> None:
    op.drop_index("ix_usage_records_day", table_name="usage_records")
    op.drop_index("ix_usage_records_org_day", table_name="usage_records")
    op.drop_table("usage_records")
