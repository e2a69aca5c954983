"""OAuth clients, refresh-token families, JWT signing keys, revoked token ids.

Revision ID: 0003
Revises: 0002
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Placeholder reserving this revision while issue 3 is built in parallel.
    pass


def downgrade() -> None:
    pass
