"""Rate limit overrides: an API key, OAuth client or user may carry its own hourly quota.

Revision ID: 0011
Revises: 0008

NULL means the tier's quota (GATEHOUSE_RATE_LIMIT_<TIER>); a number replaces it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("api_keys", "oauth_clients", "users")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("rate_limit_per_hour", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("rate_limit_per_hour")
