"""A key's lastUsedAt: set by a signed request, refreshed at most once a minute."""

from __future__ import annotations

from datetime import datetime

from storage.clock import rfc3339, utcnow
from tests.support.api import PRODUCTS, BaseUrlSession
from tests.support.records import api_key_row
from tests.support.signing import SignedKeyAuth


def last_used(server, credentials) -> str | None:
    """lastUsedAt of the key as `gatehouse keys list --json` reports it."""
    listed = server.cli("keys", "list", "--org", credentials.organization_id)
    return next(k["lastUsedAt"] for k in listed if k["id"] == credentials.key_id)


def test_signed_request_sets_last_used_and_a_second_one_leaves_it(server, fresh_key):
    signed = BaseUrlSession(server.url, fresh_key.auth)
    assert api_key_row(server, fresh_key.key_id)["last_used_at"] is None

    before = utcnow().replace(microsecond=0)
    assert signed.get(PRODUCTS).status_code == 200
    first = api_key_row(server, fresh_key.key_id)["last_used_at"]
    assert signed.get(PRODUCTS).status_code == 200
    second = api_key_row(server, fresh_key.key_id)["last_used_at"]

    reported = last_used(server, fresh_key)
    assert reported is not None
    assert before <= datetime.fromisoformat(reported) <= utcnow()
    assert reported == rfc3339(first)
    assert second == first  # to the microsecond: not rewritten


def test_refused_request_does_not_count_as_use(server, fresh_key):
    forged = SignedKeyAuth(fresh_key.key, "sk_" + "z" * 43)
    assert BaseUrlSession(server.url, forged).get(PRODUCTS).status_code == 401
    assert api_key_row(server, fresh_key.key_id)["last_used_at"] is None
