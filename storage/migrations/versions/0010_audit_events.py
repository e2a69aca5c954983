"""Audit log: every mutating call and administrative action, with its outcome.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(40), primary_key=True),
        # No foreign keys: the log outlives what it tells of.
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("actor_type", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(40), nullable=True),
        sa.Column("actor_label", sa.String(320), nullable=True),
        sa.Column("credential_id", sa.String(40), nullable=True),
        sa.Column("action", sa.String(120), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(2048), nullable=False),
        sa.Column("resource_type", sa.String(60), nullable=True),
        sa.Column("resource_id", sa.String(255), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("committed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(80), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_audit_events_org_created", "audit_events", ["organization_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_org_created", table_name="audit_events")
    op.drop_table("audit_events")
