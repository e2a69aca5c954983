"""Idempotency keys: the first successful answer to a POST, kept to replay it.

Revision ID: 0007
Revises: 0006

One row per (credential, organization, mode, key). The primary key is what
makes a retry safe under concurrency: two processes inserting the same key at
once cannot both succeed, on SQLite or PostgreSQL, so only one runs the request.
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        # An API key, OAuth client or user id: no foreign key, it may name any of them.
        sa.Column("credential_id", sa.String(40), primary_key=True),
        # A person's tokens may name several organizations and either mode;
        # a key's or client's are fixed, so these only split a person's keys.
        sa.Column("organization_id", sa.String(40), primary_key=True),
        sa.Column("mode", sa.String(8), primary_key=True),
        sa.Column("idempotency_key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("response_body_ciphertext", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("locked_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
