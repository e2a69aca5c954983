"""The request log's index: an organization's usage records newest first.

Revision ID: 0014
Revises: 0013

`GET /usage/requests` pages through one organization's records by
`occurred_at` descending; without this index a busy organization's page is a
sort of every record of the range.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_usage_records_org_time", "usage_records", ["organization_id", "occurred_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_usage_records_org_time", table_name="usage_records")
