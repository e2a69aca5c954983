"""API key management through the API: create, read, change, revoke, regenerate."""

from __future__ import annotations

import json
import re

import pytest

from storage.keys import SCOPES
from tests.support.api import PRODUCTS, BaseUrlSession, assert_error

KEYS = "/api/v1/api-keys"
KEY_ID = re.compile(r"^key_[0-9A-HJKMNP-TV-Z]{26}$")
MISSING_ID = "key_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"
SHOWN = {
    "id",
    "name",
    "prefix",
    "mode",
    "tier",
    "scopes",
    "status",
    "createdAt",
    "lastUsedAt",
    "expiresAt",
    "ipAllowlist",
    "rateLimit",
}


def new_key(api, **fields) -> dict:
    response = api.post(KEYS, json={"name": "Integration", **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def as_key(server, created: dict) -> BaseUrlSession:
    from tests.support.signing import SignedKeyAuth

    return BaseUrlSession(server.url, SignedKeyAuth(created["key"], created["secret"]))


def test_create_shows_the_key_and_secret_once(api, server):
    created = new_key(api, mode="live", tier="pro", scopes=["products:read"], expiresInDays=30)

    assert set(created) == SHOWN | {"key", "secret"}
    assert KEY_ID.match(created["id"])
    assert created["key"].startswith("ak_live_") and created["secret"].startswith("sk_")
    assert created["prefix"] == created["key"][:16]
    assert (created["mode"], created["tier"], created["status"]) == ("live", "pro", "active")
    assert created["scopes"] == ["products:read"]
    assert created["lastUsedAt"] is None and created["ipAllowlist"] is None

    assert as_key(server, created).get(PRODUCTS).status_code == 200
    for response in (api.get(f"{KEYS}/{created['id']}"), api.get(KEYS, params={"perPage": 100})):
        assert response.status_code == 200
        assert created["key"] not in response.text and created["secret"] not in response.text
    shown = api.get(f"{KEYS}/{created['id']}").json()["data"]
    assert set(shown) == SHOWN
    assert shown["lastUsedAt"] is not None  # it was just used


def test_defaults_are_a_test_mode_free_key_with_the_callers_scopes(api):
    created = new_key(api)
    assert (created["mode"], created["tier"]) == ("test", "free")
    assert created["scopes"] == list(SCOPES)  # the caller's: a CLI key holds the whole catalogue
    assert created["expiresAt"] is not None


def test_list_filters_by_status_and_mode(api):
    live = new_key(api, mode="live")
    revoked = new_key(api)
    assert api.delete(f"{KEYS}/{revoked['id']}").status_code == 204

    def ids(**params):
        response = api.get(KEYS, params={"perPage": 100, **params})
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["data"]}

    assert live["id"] in ids(mode="live") and revoked["id"] not in ids(mode="live")
    assert revoked["id"] in ids(status="revoked") and live["id"] not in ids(status="revoked")
    assert live["id"] in ids(status="active,expired")
    page = api.get(KEYS, params={"perPage": 1}).json()
    assert len(page["data"]) == 1 and page["pagination"]["total"] >= 2


def test_update_changes_name_and_scopes(api, server):
    created = new_key(api)
    response = api.put(
        f"{KEYS}/{created['id']}", json={"name": "Renamed", "scopes": ["products:read"]}
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert (updated["name"], updated["scopes"]) == ("Renamed", ["products:read"])
    assert (updated["mode"], updated["tier"]) == (created["mode"], created["tier"])

    refused = as_key(server, created).post(PRODUCTS, json={})
    assert_error(refused, 403, "AUTHORIZATION_ERROR")


def test_revoke_refuses_the_very_next_request(api, server):
    created = new_key(api)
    session = as_key(server, created)
    assert session.get(PRODUCTS).status_code == 200

    assert api.delete(f"{KEYS}/{created['id']}").status_code == 204

    error = assert_error(session.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert "revoked" in error["message"]
    assert api.get(f"{KEYS}/{created['id']}").json()["data"]["status"] == "revoked"
    assert api.delete(f"{KEYS}/{created['id']}").status_code == 204  # idempotent


def test_a_revoked_key_cannot_be_changed(api):
    created = new_key(api, scopes=["products:read"])
    assert api.delete(f"{KEYS}/{created['id']}").status_code == 204

    changed = api.put(f"{KEYS}/{created['id']}", json={"name": "Revived?", "scopes": []})

    error = assert_error(changed, 409, "CONFLICT")
    assert error["message"] == "The key is revoked; it cannot be changed."
    kept = api.get(f"{KEYS}/{created['id']}").json()["data"]
    assert (kept["status"], kept["name"], kept["scopes"]) == (
        "revoked",
        created["name"],
        ["products:read"],
    )


def test_regenerate_replaces_the_key(api, server):
    created = new_key(api, tier="pro", scopes=["products:read", "orders:read"])
    response = api.post(f"{KEYS}/{created['id']}/regenerate")
    assert response.status_code == 201, response.text
    fresh = response.json()["data"]

    assert fresh["id"] != created["id"]
    assert fresh["key"] != created["key"] and fresh["secret"] != created["secret"]
    for field in ("name", "mode", "tier", "scopes", "ipAllowlist"):
        assert fresh[field] == created[field], field
    assert_error(as_key(server, created).get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert as_key(server, fresh).get(PRODUCTS).status_code == 200

    again = api.post(f"{KEYS}/{created['id']}/regenerate")
    assert_error(again, 409, "CONFLICT")


@pytest.mark.parametrize("method, suffix", [("DELETE", ""), ("POST", "/regenerate")])
def test_a_key_cannot_revoke_or_regenerate_itself(api, tenant, method, suffix):
    error = assert_error(api.request(method, f"{KEYS}/{tenant.key_id}{suffix}"), 409, "CONFLICT")
    assert "itself" in error["message"]
    assert api.get(PRODUCTS).status_code == 200


def test_an_allowlist_needs_the_enterprise_tier(api):
    response = api.post(KEYS, json={"name": "Pinned", "tier": "pro", "ipAllowlist": ["10.0.0.0/8"]})
    error = assert_error(response, 422, "UNPROCESSABLE")
    assert error["details"] == {"ipAllowlist": "needs the enterprise tier"}


def test_a_malformed_network_is_a_validation_error(api):
    body = {"name": "Pinned", "tier": "enterprise", "ipAllowlist": ["10.0.0.0/33", "nope"]}
    error = assert_error(api.post(KEYS, json=body), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"ipAllowlist.0", "ipAllowlist.1"}


def test_an_allowlist_admits_only_its_networks(api, server):
    outside = new_key(api, tier="enterprise", ipAllowlist=["203.0.113.0/24"])
    inside = new_key(api, tier="enterprise", ipAllowlist=["127.0.0.1/8", "203.0.113.0/24"])

    error = assert_error(as_key(server, outside).get(PRODUCTS), 403, "AUTHORIZATION_ERROR")
    assert "not allowed from this address" in error["message"]
    assert inside["ipAllowlist"] == ["127.0.0.0/8", "203.0.113.0/24"]  # host bits cleared
    assert as_key(server, inside).get(PRODUCTS).status_code == 200

    # X-Forwarded-For is the client's word, not its address.
    spoofed = as_key(server, outside).get(PRODUCTS, headers={"X-Forwarded-For": "203.0.113.7"})
    assert spoofed.status_code == 403


def test_another_organizations_key_is_not_found(api, other_api):
    theirs = new_key(other_api)
    for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/regenerate")):
        foreign = api.request(method, f"{KEYS}/{theirs['id']}{suffix}")
        missing = api.request(method, f"{KEYS}/{MISSING_ID}{suffix}")
        assert_error(foreign, 404, "NOT_FOUND")
        assert_error(missing, 404, "NOT_FOUND")
    put = api.put(f"{KEYS}/{theirs['id']}", json={"name": "Mine now", "scopes": []})
    assert_error(put, 404, "NOT_FOUND")
    assert other_api.get(f"{KEYS}/{theirs['id']}").json()["data"]["status"] == "active"
    listed = json.dumps(api.get(KEYS, params={"perPage": 100}).json())
    assert theirs["id"] not in listed
