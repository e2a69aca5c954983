"""A second API process on the same database: tokens expire there on its (short) clock,
and tokens and revocations made through one process hold in the other."""

from __future__ import annotations

import time

import pytest

from tests.support.api import PRODUCTS, assert_error
from tests.support.oauth import CLIENTS, bearer, grant, register_client, token_request
from tests.support.server import LiveServer

TTL = 2


@pytest.fixture(scope="module")
def short_lived(server, tmp_path_factory):
    """A second process on the same database whose tokens live TTL seconds, with no leeway."""
    var_dir = tmp_path_factory.mktemp("var-short-ttl")
    live = LiveServer(
        {
            # The same database and var/ (whose secret key opens the stored signing keys).
            **server.env,
            "GATEHOUSE_ACCESS_TOKEN_TTL": str(TTL),
            "GATEHOUSE_JWT_LEEWAY": "0",
        },
        var_dir / "server.log",
    ).start()
    yield live
    live.stop()


def test_an_expired_token_is_refused_and_its_refresh_token_still_works(short_lived, api):
    client = register_client(api, scopes=["products:read"])
    tokens = grant(short_lived, client)
    assert tokens["expires_in"] == TTL

    session = bearer(short_lived, tokens["access_token"])
    deadline = time.monotonic() + 60
    response = session.get(PRODUCTS)
    while response.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        response = session.get(PRODUCTS)

    error = assert_error(response, 401, "AUTHENTICATION_ERROR")
    assert error["message"] == "The access token has expired."
    refreshed = token_request(
        short_lived, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text


def test_another_process_verifies_tokens_and_honours_revocations_at_once(server, short_lived, api):
    client = register_client(api, scopes=["products:read"])
    tokens = grant(server, client)  # minted by the first process, TTL one hour
    elsewhere = bearer(short_lived, tokens["access_token"])
    assert elsewhere.get(PRODUCTS).status_code == 200

    assert api.delete(f"{CLIENTS}/{client.client_id}").status_code == 204  # via the first

    error = assert_error(elsewhere.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert "revoked" in error["message"]
