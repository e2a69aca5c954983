"""The token endpoint with clients nobody here wrote: requests-oauthlib and Authlib."""

from __future__ import annotations

import base64

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from tests.support.api import PRODUCTS, assert_error, product_body
from tests.support.oauth import (
    ISSUE,
    REFRESH,
    V1_ISSUE,
    assert_oauth_error,
    bearer,
    grant,
    register_client,
    token_request,
)


@pytest.fixture
def client(api):
    return register_client(api, scopes=["products:read", "products:write"])


def test_requests_oauthlib_backend_application_flow(server, client, api, prefix, monkeypatch):
    # oauthlib insists on https; the test server is plain http on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    session = OAuth2Session(client=BackendApplicationClient(client_id=client.client_id))
    token = session.fetch_token(
        token_url=server.url + ISSUE,
        client_id=client.client_id,
        client_secret=client.secret,
    )

    assert (token["token_type"], token["expires_in"]) == ("Bearer", 3600)
    assert token["scope"] == ["products:read", "products:write"]
    created = session.post(server.url + PRODUCTS, json=product_body(prefix), timeout=10)
    assert created.status_code == 201, created.text
    # The product landed in the client's organization: the API key of that tenant sees it.
    assert api.get(f"{PRODUCTS}/{created.json()['data']['id']}").status_code == 200


def test_authlib_client_secret_basic_obtains_and_refreshes(server, client):
    session = AuthlibSession(
        client.client_id,
        client.secret,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method's name)
        scope="products:read",
    )
    first = session.fetch_token(server.url + V1_ISSUE, grant_type="client_credentials")
    assert first["scope"] == "products:read"
    assert session.get(server.url + PRODUCTS, timeout=10).status_code == 200

    second = session.refresh_token(server.url + V1_ISSUE, refresh_token=first["refresh_token"])

    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == "products:read"
    assert session.get(server.url + PRODUCTS, timeout=10).status_code == 200


def test_the_answer_is_never_cached_and_carries_the_claims(server, client, tenant):
    response = token_request(server, client)

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == claims["client_id"] == client.client_id
    assert claims["org"] == tenant.organization_id
    assert claims["permissions"] == ["products:read", "products:write"]
    assert claims["scope"] == "products:read products:write"
    assert claims["mode"] == "test"
    assert claims["exp"] - claims["iat"] == 3600
    assert {"jti", "iss", "aud"} <= set(claims)
    assert "user_id" not in claims
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"


def test_client_credentials_in_form_fields_and_json(server, client):
    form = requests.post(
        server.url + ISSUE,
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.secret,
        },
        timeout=10,
    )
    as_json = requests.post(
        server.url + ISSUE,
        json={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.secret,
        },
        timeout=10,
    )
    assert form.status_code == as_json.status_code == 200, (form.text, as_json.text)


def test_unknown_parameters_are_ignored(server, client):
    response = token_request(server, client, audience="ignored", resource="also-ignored")
    assert response.status_code == 200, response.text


def test_scope_narrows_and_the_narrowed_token_is_held_to_it(server, client, prefix):
    body = grant(server, client, scope="products:read")
    assert body["scope"] == "products:read"

    as_client = bearer(server, body["access_token"])
    assert as_client.get(PRODUCTS).status_code == 200
    refused = as_client.post(PRODUCTS, json=product_body(prefix))
    error = assert_error(refused, 403, "AUTHORIZATION_ERROR")
    assert error["message"] == "This token lacks the scope products:write."


def test_scope_never_widens(server, client):
    response = token_request(server, client, scope="products:read orders:read")
    assert "orders:read" in assert_oauth_error(response, 400, "invalid_scope")


@pytest.mark.parametrize(
    "credentials",
    [("cli_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", "cs_nope"), None],
    ids=["unknown client", "no credentials"],
)
def test_client_authentication_failures_are_invalid_client(server, credentials):
    response = requests.post(
        server.url + ISSUE, data={"grant_type": "client_credentials"}, auth=credentials, timeout=10
    )
    assert_oauth_error(response, 401, "invalid_client")


def test_a_wrong_secret_answers_as_an_unknown_client_does(server, client):
    wrong = requests.post(
        server.url + ISSUE,
        data={"grant_type": "client_credentials"},
        auth=(client.client_id, client.secret + "x"),
        timeout=10,
    )
    unknown = requests.post(
        server.url + ISSUE,
        data={"grant_type": "client_credentials"},
        auth=("cli_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", client.secret),
        timeout=10,
    )
    assert assert_oauth_error(wrong, 401, "invalid_client") == assert_oauth_error(
        unknown, 401, "invalid_client"
    )
    assert client.secret not in wrong.text


def test_malformed_basic_credentials_are_invalid_client(server):
    response = requests.post(
        server.url + ISSUE,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic %%%not-base64"},
        timeout=10,
    )
    assert_oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "username": "a", "password": "b"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "rt_unknown"}, "invalid_grant"),
    ],
    ids=["password grant", "empty grant type", "refresh without token", "unknown refresh token"],
)
def test_bad_requests_answer_rfc_6749_errors(server, client, form, error):
    response = requests.post(server.url + ISSUE, data=form, auth=client.basic, timeout=10)
    assert_oauth_error(response, 400, error)


def test_validation_failures_take_the_rfc_6749_shape_too(server, client):
    unknown_query = requests.post(
        server.url + ISSUE + "?debug=1",
        data={"grant_type": "client_credentials"},
        auth=client.basic,
        timeout=10,
    )
    not_a_string = requests.post(
        server.url + ISSUE, json={"grant_type": 7}, auth=client.basic, timeout=10
    )
    assert "debug" in assert_oauth_error(unknown_query, 400, "invalid_request")
    assert "grant_type" in assert_oauth_error(not_a_string, 400, "invalid_request")


def test_basic_and_form_secret_together_are_refused(server, client):
    encoded = base64.b64encode(f"{client.client_id}:{client.secret}".encode()).decode()
    response = requests.post(
        server.url + ISSUE,
        data={"grant_type": "client_credentials", "client_secret": client.secret},
        headers={"Authorization": f"Basic {encoded}"},
        timeout=10,
    )
    assert_oauth_error(response, 400, "invalid_request")


def test_refresh_shorthand(server, client):
    first = grant(server, client)
    response = requests.post(
        server.url + REFRESH,
        data={"refresh_token": first["refresh_token"]},
        auth=client.basic,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json()["refresh_token"] != first["refresh_token"]


def test_refresh_token_of_another_client_is_invalid_grant(server, api, client):
    other = register_client(api, scopes=["products:read"])
    first = grant(server, client)
    response = token_request(
        server, other, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert_oauth_error(response, 400, "invalid_grant")
    # The rightful client can still use it: a stranger presenting it is not a reuse.
    again = token_request(
        server, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert again.status_code == 200, again.text


@pytest.mark.parametrize(
    "client_id", ["cli_\x00", "nonsense", "x" * 500], ids=["NUL", "not an id", "long"]
)
def test_a_malformed_client_id_is_just_an_unknown_client(server, client_id):
    response = requests.post(
        server.url + ISSUE,
        json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "s"},
        timeout=10,
    )
    assert_oauth_error(response, 401, "invalid_client")
