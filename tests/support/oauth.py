"""Helpers for OAuth clients and Bearer tokens against a live server."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from tests.support.api import BaseUrlSession

CLIENTS = "/api/v1/oauth/clients"
# The token endpoint, under /api and under /api/v1.
ISSUE = "/api/oauth/token"
V1_ISSUE = "/api/v1/oauth/token"
REFRESH = "/api/v1/oauth/refresh"
REVOKE = "/api/oauth/revoke"
INTROSPECT = "/api/oauth/introspect"
JWKS = "/.well-known/jwks.json"


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str
    scopes: list[str]

    @property
    def basic(self) -> tuple[str, str]:
        return (self.client_id, self.secret)


def register_client(api, **fields) -> Client:
    """A new OAuth client of the signing tenant, registered through the API."""
    response = api.post(CLIENTS, json={"name": "Integration client", **fields})
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    return Client(data["id"], data["clientSecret"], data["scopes"])


def token_request(server, client: Client, path: str = ISSUE, **form) -> requests.Response:
    form.setdefault("grant_type", "client_credentials")
    return requests.post(server.url + path, data=form, auth=client.basic, timeout=10)


def grant(server, client: Client, **form) -> dict:
    response = token_request(server, client, **form)
    assert response.status_code == 200, response.text
    return response.json()


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def bearer(server, token: str) -> BaseUrlSession:
    return BaseUrlSession(server.url, BearerAuth(token))


def assert_oauth_error(response: requests.Response, status: int, error: str) -> str:
    """RFC 6749 section 5.2's shape; returns the description."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) <= {"error", "error_description"}
    assert body["error"] == error, body
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
    return body.get("error_description", "")


def server_signing_key(server):
    """The server's active signing key (kid, private key), read as the server reads it.

    For tokens a test must sign with the real key yet make wrong in one claim
    (issuer, audience, expiry): only the server's own key isolates that claim.
    """
    from cryptography.hazmat.primitives import serialization

    from storage import UnitOfWork
    from storage.keys import Keyring
    from tests.support.records import database_of, settings_of

    keyring = Keyring(settings_of(server).resolved_secret_key())
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        record = uow.signing_keys.active()
        pem = keyring.decrypt(record.private_key_ciphertext).encode()
        return record.id, serialization.load_pem_private_key(pem, password=None)
