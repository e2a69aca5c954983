"""OAuth clients through the API and the CLI: register, read, revoke, rotate the secret."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from storage.models import OAuthClient
from tests.support.api import BaseUrlSession, assert_error
from tests.support.oauth import CLIENTS, Client, assert_oauth_error, register_client, token_request
from tests.support.records import database_of, issue_key

CLIENT_ID = re.compile(r"^cli_[0-9A-HJKMNP-TV-Z]{26}$")
SHOWN = {"id", "name", "mode", "scopes", "status", "createdAt", "revokedAt", "rateLimit"}


def stored_client(server, client_id: str) -> dict:
    table = OAuthClient.__table__
    with database_of(server) as database, database.engine.connect() as connection:
        return dict(
            connection.execute(select(table).where(table.c.id == client_id)).mappings().one()
        )


def test_register_shows_the_secret_once_and_stores_only_its_hash(server, api):
    response = api.post(
        CLIENTS, json={"name": "Reports", "mode": "live", "scopes": ["orders:read"]}
    )

    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert set(created) == SHOWN | {"clientSecret"}
    assert CLIENT_ID.match(created["id"])
    assert (created["mode"], created["status"], created["scopes"]) == (
        "live",
        "active",
        ["orders:read"],
    )
    shown = api.get(f"{CLIENTS}/{created['id']}").json()["data"]
    assert set(shown) == SHOWN
    listed = api.get(CLIENTS, params={"perPage": 100}).json()["data"]
    assert created["id"] in {item["id"] for item in listed}
    assert created["clientSecret"] not in str(listed)
    row = stored_client(server, created["id"])
    assert created["clientSecret"] not in str(row)
    assert row["secret_hash"] == hashlib.sha256(created["clientSecret"].encode()).hexdigest()


def test_a_client_gets_the_callers_scopes_by_default(api, tenant):
    client = register_client(api)
    assert "keys:manage" in client.scopes and "products:read" in client.scopes


def test_a_client_cannot_be_given_scopes_the_creator_lacks(server, tenant):
    narrow = issue_key(server, tenant.organization_id, scopes=["keys:manage", "products:read"])
    creator = BaseUrlSession(server.url, narrow.auth)

    refused = creator.post(CLIENTS, json={"name": "Too much", "scopes": ["products:write"]})

    error = assert_error(refused, 403, "AUTHORIZATION_ERROR")
    assert "products:write" in error["message"]
    allowed = register_client(creator, scopes=["products:read"])
    assert allowed.scopes == ["products:read"]


def test_another_organizations_client_is_not_found(api, other_api):
    theirs = register_client(other_api, scopes=["products:read"])
    assert_error(api.get(f"{CLIENTS}/{theirs.client_id}"), 404, "NOT_FOUND")
    assert_error(api.delete(f"{CLIENTS}/{theirs.client_id}"), 404, "NOT_FOUND")


def test_rotating_the_secret_retires_the_old_one_at_once(server, api):
    client = register_client(api, scopes=["products:read"])

    response = api.post(f"{CLIENTS}/{client.client_id}/rotate-secret")

    assert response.status_code == 200, response.text
    rotated = Client(client.client_id, response.json()["data"]["clientSecret"], client.scopes)
    assert rotated.secret != client.secret
    assert_oauth_error(token_request(server, client), 401, "invalid_client")
    assert token_request(server, rotated).status_code == 200


def test_a_revoked_client_cannot_be_rotated_and_revoking_twice_is_harmless(api):
    client = register_client(api, scopes=["products:read"])
    assert api.delete(f"{CLIENTS}/{client.client_id}").status_code == 204
    assert api.delete(f"{CLIENTS}/{client.client_id}").status_code == 204
    shown = api.get(f"{CLIENTS}/{client.client_id}").json()["data"]
    assert shown["status"] == "revoked" and shown["revokedAt"]
    assert_error(api.post(f"{CLIENTS}/{client.client_id}/rotate-secret"), 409, "CONFLICT")


def test_cli_registers_lists_and_revokes_clients(server, tenant):
    created = server.cli(
        "clients",
        "create",
        "--org",
        tenant.organization_id,
        "--name",
        "Nightly export",
        "--scopes",
        "products:read",
        "--mode",
        "live",
    )
    assert CLIENT_ID.match(created["id"])
    assert created["clientSecret"].startswith("cs_")
    client = Client(created["id"], created["clientSecret"], created["scopes"])
    assert token_request(server, client).json()["scope"] == "products:read"

    listed = server.cli("clients", "list", "--org", tenant.organization_id)
    assert created["id"] in {item["id"] for item in listed}
    assert all("clientSecret" not in item for item in listed)

    revoked = server.cli("clients", "revoke", created["id"])
    assert revoked["status"] == "revoked"
    assert_oauth_error(token_request(server, client), 401, "invalid_client")
