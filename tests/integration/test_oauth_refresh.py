"""Refresh tokens: single use, rotated, and a reuse revokes the whole family."""

from __future__ import annotations

import pytest

from tests.support.api import PRODUCTS, assert_error
from tests.support.oauth import assert_oauth_error, bearer, grant, register_client, token_request


@pytest.fixture
def client(api):
    return register_client(api, scopes=["products:read"])


def refresh(server, client, refresh_token: str):
    return token_request(server, client, grant_type="refresh_token", refresh_token=refresh_token)


def test_each_refresh_rotates_the_refresh_token(server, client):
    first = grant(server, client)
    second = refresh(server, client, first["refresh_token"])
    assert second.status_code == 200, second.text
    third = refresh(server, client, second.json()["refresh_token"])
    assert third.status_code == 200, third.text
    assert len({first["refresh_token"], second.json()["refresh_token"]}) == 2


def test_reuse_revokes_the_family(server, client):
    first = grant(server, client)
    second = refresh(server, client, first["refresh_token"]).json()
    successor_access = bearer(server, second["access_token"])
    assert successor_access.get(PRODUCTS).status_code == 200

    reused = refresh(server, client, first["refresh_token"])

    assert "already used" in assert_oauth_error(reused, 400, "invalid_grant")
    # The rotated successor stops working, and so do the access tokens of the family.
    assert_oauth_error(refresh(server, client, second["refresh_token"]), 400, "invalid_grant")
    error = assert_error(successor_access.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert "revoked" in error["message"]
    refused = assert_error(
        bearer(server, first["access_token"]).get(PRODUCTS), 401, "AUTHENTICATION_ERROR"
    )
    assert "revoked" in refused["message"]


def test_another_grant_of_the_same_client_is_untouched_by_a_reuse(server, client):
    victim = grant(server, client)
    bystander = grant(server, client)
    refresh(server, client, victim["refresh_token"])
    refresh(server, client, victim["refresh_token"])

    assert bearer(server, bystander["access_token"]).get(PRODUCTS).status_code == 200
    assert refresh(server, client, bystander["refresh_token"]).status_code == 200


def test_refresh_may_narrow_but_not_widen(server, api):
    client = register_client(api, scopes=["products:read", "products:write"])
    first = grant(server, client, scope="products:read")

    widened = token_request(
        server,
        client,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        scope="products:read products:write",
    )
    assert_oauth_error(widened, 400, "invalid_scope")
    # A refused widening spends nothing: the token still refreshes.
    again = refresh(server, client, first["refresh_token"])
    assert again.status_code == 200, again.text
    assert again.json()["scope"] == "products:read"
