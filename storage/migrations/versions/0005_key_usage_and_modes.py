"""Per-key daily usage counters; test/live mode on data rows.

Revision ID: 0005
Revises: 0004
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Placeholder reserving this revision while issue 3 is built in parallel.
    pass


def downgrade() -> None:
    pass
