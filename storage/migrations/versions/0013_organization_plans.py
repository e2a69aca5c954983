"""Organization plans: the highest key tier an organization may issue.

Revision ID: 0013
Revises: 0012

Existing organizations keep what they already use: the plan of the highest tier
among their keys, else `free`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("plan", sa.String(16), nullable=False, server_default="free")
        )
    for tier in ("pro", "enterprise"):  # lowest first: the highest tier in use wins
        op.execute(
            sa.text(
                "UPDATE organizations SET plan = :tier WHERE id IN "
                "(SELECT organization_id FROM api_keys WHERE tier = :tier)"
            ).bindparams(tier=tier)
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("plan")
