"""Support requests: messages to the operator's support desk (the portal's Support page).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "organization_id", sa.String(40), sa.ForeignKey("organizations.id"), nullable=False
        ),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("failing_request_id", sa.String(64), nullable=True),
        sa.Column("sender_type", sa.String(16), nullable=False),
        sa.Column("sender_id", sa.String(40), nullable=False),
        sa.Column("sender_email", sa.String(320), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_support_requests_org_created", "support_requests", ["organization_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_support_requests_org_created", table_name="support_requests")
    op.drop_table("support_requests")
