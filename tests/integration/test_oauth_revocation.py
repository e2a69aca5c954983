"""Revocation (RFC 7009) and introspection (RFC 7662), and revoked clients."""

from __future__ import annotations

import pytest
import requests

from tests.support.api import PRODUCTS, assert_error
from tests.support.oauth import (
    CLIENTS,
    INTROSPECT,
    REVOKE,
    assert_oauth_error,
    bearer,
    grant,
    register_client,
    token_request,
)


@pytest.fixture
def client(api):
    return register_client(api, scopes=["products:read"])


def revoke(server, client, token: str, path: str = REVOKE) -> requests.Response:
    return requests.post(server.url + path, data={"token": token}, auth=client.basic, timeout=10)


def introspect(server, client, token: str) -> dict:
    response = requests.post(
        server.url + INTROSPECT, data={"token": token}, auth=client.basic, timeout=10
    )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def test_a_revoked_access_token_is_refused_on_the_next_request(server, client):
    tokens = grant(server, client)
    session = bearer(server, tokens["access_token"])
    assert session.get(PRODUCTS).status_code == 200

    assert revoke(server, client, tokens["access_token"]).status_code == 200

    error = assert_error(session.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert error["message"] == "The access token has been revoked."
    # Only that token: its refresh token still works.
    refreshed = token_request(
        server, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text


def test_revoking_a_refresh_token_revokes_its_grant(server, client):
    tokens = grant(server, client)

    assert (
        revoke(server, client, tokens["refresh_token"], "/api/v1/oauth/revoke").status_code == 200
    )

    assert_error(bearer(server, tokens["access_token"]).get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    refreshed = token_request(
        server, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert_oauth_error(refreshed, 400, "invalid_grant")


def test_revoking_garbage_or_another_clients_token_is_a_quiet_200(server, api, client):
    other = register_client(api, scopes=["products:read"])
    tokens = grant(server, client)

    assert revoke(server, client, "not-a-token").status_code == 200
    assert revoke(server, other, tokens["access_token"]).status_code == 200
    assert revoke(server, other, tokens["refresh_token"]).status_code == 200
    # Neither was revoked: they belong to `client`, not `other`.
    assert bearer(server, tokens["access_token"]).get(PRODUCTS).status_code == 200
    assert introspect(server, client, tokens["refresh_token"])["active"] is True


def test_revocation_requires_client_authentication(server, client):
    tokens = grant(server, client)
    response = requests.post(
        server.url + REVOKE, data={"token": tokens["access_token"]}, timeout=10
    )
    assert_oauth_error(response, 401, "invalid_client")
    assert bearer(server, tokens["access_token"]).get(PRODUCTS).status_code == 200


def test_introspection_describes_an_active_access_token(server, client, tenant):
    tokens = grant(server, client)
    found = introspect(server, client, tokens["access_token"])

    assert (found["active"], found["token_type"]) == (True, "Bearer")
    assert found["scope"] == "products:read"
    assert found["client_id"] == found["sub"] == client.client_id
    assert found["org"] == tenant.organization_id
    assert found["mode"] == "test"
    assert found["exp"] > found["iat"]


def test_introspection_describes_a_refresh_token(server, client):
    tokens = grant(server, client)
    found = introspect(server, client, tokens["refresh_token"])
    assert (found["active"], found["token_type"]) == (True, "refresh_token")
    assert found["client_id"] == client.client_id


def test_introspection_answers_inactive_for_anything_not_valid(server, api, client, other_api):
    tokens = grant(server, client)
    stranger = register_client(other_api, scopes=["products:read"])
    assert introspect(server, stranger, tokens["access_token"]) == {"active": False}
    assert introspect(server, client, "eyJhbGciOiJub25lIn0.e30.") == {"active": False}
    assert introspect(server, client, "rt_unknown") == {"active": False}

    revoke(server, client, tokens["refresh_token"])

    assert introspect(server, client, tokens["access_token"]) == {"active": False}
    assert introspect(server, client, tokens["refresh_token"]) == {"active": False}


def test_a_revoked_clients_tokens_are_refused(server, api, client):
    tokens = grant(server, client)
    session = bearer(server, tokens["access_token"])
    assert session.get(PRODUCTS).status_code == 200

    assert api.delete(f"{CLIENTS}/{client.client_id}").status_code == 204

    error = assert_error(session.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert "client" in error["message"] and "revoked" in error["message"]
    assert_oauth_error(token_request(server, client), 401, "invalid_client")
    refreshed = token_request(
        server, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert_oauth_error(refreshed, 401, "invalid_client")
