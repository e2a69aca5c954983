"""People: users, memberships with roles, sessions, one-time tokens (verify email, reset password), TOTP.

Revision ID: 0004
Revises: 0003
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Placeholder reserving this revision while issue 3 is built in parallel.
    pass


def downgrade() -> None:
    pass
