"""The `gatehouse` command: organizations and keys, for scripts (--json) and for people."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from cryptography.fernet import Fernet

from storage.keys import SCOPES
from tests.support.cli import run_cli
from tests.support.records import api_key_row, settings_of

ORG_ID = re.compile(r"^org_[0-9A-HJKMNP-TV-Z]{26}$")
KEY_ID = re.compile(r"^key_[0-9A-HJKMNP-TV-Z]{26}$")


@pytest.fixture(scope="module")
def org(server) -> dict:
    return server.cli("orgs", "create", "CLI Org")


@pytest.fixture(scope="module")
def live_key(server, org) -> dict:
    return server.cli("keys", "create", "--org", org["id"], "--mode", "live", "--name", "Deploy")


def test_orgs_create_json(org):
    assert ORG_ID.match(org["id"])
    assert org["name"] == "CLI Org"


def test_orgs_list_json(server, org):
    listed = server.cli("orgs", "list")
    assert {
        "id": org["id"],
        "name": "CLI Org",
        "plan": "free",
        "createdAt": org["createdAt"],
    } in listed


def test_keys_create_json_shows_the_key_and_secret_once(live_key, org):
    assert KEY_ID.match(live_key["id"])
    assert live_key["organizationId"] == org["id"]
    assert live_key["key"].startswith("ak_live_")
    assert live_key["mode"] == "live"
    assert live_key["secret"].startswith("sk_")
    assert live_key["prefix"] == live_key["key"][:16]
    assert live_key["expiresAt"] and live_key["lastUsedAt"] is None


def test_keys_are_test_mode_by_default(tenant):
    assert tenant.key.startswith("ak_test_")


def test_keys_list_never_shows_a_key_or_secret(server, org, live_key):
    listed = server.cli("keys", "list", "--org", org["id"])
    text = json.dumps(listed)

    assert [k["id"] for k in listed] == [live_key["id"]]
    assert live_key["key"] not in text and live_key["secret"] not in text
    assert not {"key", "secret"} & set(listed[0])


def test_keys_create_for_an_unknown_org_fails_clearly(server):
    done = run_cli(server, "keys", "create", "--org", "org_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", "--json")
    assert done.returncode != 0
    assert "No organization org_01JD7X3M2Q4W8Y6Z0A1B2C3D4E" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_revoking_an_unknown_key_fails_clearly(server):
    done = run_cli(server, "keys", "revoke", "key_01JD7X3M2Q4W8Y6Z0A1B2C3D4E")
    assert done.returncode != 0
    assert "No API key key_01JD7X3M2Q4W8Y6Z0A1B2C3D4E" in done.stderr


def test_human_output_is_readable(server):
    made = run_cli(server, "orgs", "create", "Human Org")
    assert made.returncode == 0, made.stderr
    org_id = re.search(
        r"Created organization (org_\w+) \(Human Org, free plan\)\.", made.stdout
    ).group(1)

    key = run_cli(server, "keys", "create", "--org", org_id)
    assert key.returncode == 0, key.stderr
    assert f"for {org_id}" in key.stdout
    secret = re.search(r"^  secret: (sk_\S+)$", key.stdout, re.M).group(1)
    assert re.search(r"^  key:    ak_test_\S+$", key.stdout, re.M)
    assert "shown only now" in key.stdout

    listed = run_cli(server, "keys", "list", "--org", org_id)
    assert listed.returncode == 0, listed.stderr
    assert re.search(
        r"key_\w+\s+ak_test_\S+…\s+test\s+free\s+active\s+expires \d{4}-", listed.stdout
    )
    assert secret not in listed.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(listed.stdout)


def test_secret_is_stored_encrypted_and_key_only_hashed(server, live_key):
    row = api_key_row(server, live_key["id"])

    for column, value in row.items():
        assert live_key["key"] not in str(value), column
        assert live_key["secret"] not in str(value), column
    assert row["key_hash"] == hashlib.sha256(live_key["key"].encode()).hexdigest()
    fernet = Fernet(settings_of(server).resolved_secret_key())
    assert fernet.decrypt(row["secret_ciphertext"].encode()).decode() == live_key["secret"]


def test_keys_carry_every_scope_by_default(live_key):
    assert live_key["scopes"] == list(SCOPES)  # the catalogue, in its order


def test_keys_create_with_scopes(server, org):
    made = server.cli("keys", "create", "--org", org["id"], "--scopes", "orders:read,products:read")
    assert made["scopes"] == ["products:read", "orders:read"]  # catalogue order
    listed = {k["id"]: k for k in server.cli("keys", "list", "--org", org["id"])}
    assert listed[made["id"]]["scopes"] == ["products:read", "orders:read"]


def test_keys_create_refuses_an_unknown_scope(server, org):
    done = run_cli(server, "keys", "create", "--org", org["id"], "--scopes", "products:read,root")
    assert done.returncode == 2
    assert "unknown scopes: root" in done.stderr
    assert "Traceback" not in done.stderr
