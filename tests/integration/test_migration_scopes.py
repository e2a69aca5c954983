"""Migration 0002: keys issued before scopes existed keep every permission they had."""

from __future__ import annotations

from sqlalchemy import text

from storage.keys import SCOPES
from storage.migrate import upgrade
from storage.models import ApiKey


def test_existing_keys_get_every_scope_and_no_allowlist(empty_database):
    upgrade(empty_database, "0001")
    with empty_database.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO organizations VALUES ('org_1', 'Old', '2024-01-01T00:00:00+00:00')")
        )
        connection.execute(
            text(
                "INSERT INTO api_keys (id, organization_id, name, prefix, key_hash,"
                " secret_ciphertext, mode, tier, status, created_at)"
                " VALUES ('key_1', 'org_1', 'Old key', 'ak_test_x', 'h', 'c', 'test', 'free',"
                " 'active', '2024-01-01T00:00:00+00:00')"
            )
        )

    upgrade(empty_database)

    with empty_database.session() as session:
        key = session.get(ApiKey, "key_1")
        # Every scope there was; audit:read (0010) and the support scopes (0012) are
        # granted only explicitly, never by migration.
        later = ("audit:read", "support:read", "support:write")
        assert key.scopes == [scope for scope in SCOPES if scope not in later]
        assert key.ip_allowlist is None
