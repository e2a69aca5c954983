"""API keys carry scopes and an optional IP allowlist.

Revision ID: 0002
Revises: 0001
"""


import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The catalogue as of this revision (frozen here: later catalogue changes must
# not rewrite history). Keys issued before scopes existed could do everything.
ALL_SCOPES = [
    "products:read",
    "products:write",
    "orders:read",
    "orders:write",
    "customers:read",
    "customers:write",
    "inventory:read",
    "inventory:write",
    "webhooks:manage",
    "keys:manage",
    "usage:read",
]


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("scopes", sa.JSON(), nullable=True))
    op.add_column("api_keys", sa.Column("ip_allowlist", sa.JSON(), nullable=True))
    api_keys = sa.table("api_keys", sa.column("scopes", sa.JSON()))
    op.execute(api_keys.update().values(scopes=ALL_SCOPES))
    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column("scopes", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("ip_allowlist")
        batch.drop_column("scopes")
