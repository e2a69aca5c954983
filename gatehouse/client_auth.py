"""Who is calling an OAuth endpoint: the request's parameters and the client's credentials.

The client authenticates with HTTP Basic or with `client_id`/`client_secret`
parameters (RFC 6749 section 2.3.1), never both. Failures are RFC 6749
section 5.2 errors, which the endpoints answer as such (not the envelope).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from urllib.parse import unquote_plus

from connexion import request

from storage import UnitOfWork
from storage.clients import hash_secret
from storage.models import OAuthClient

# The parameters the OAuth endpoints read; any other is ignored (RFC 6749 section 3.2).
PARAMETERS = (
    "grant_type",
    "client_id",
    "client_secret",
    "refresh_token",
    "scope",
    "token",
    "token_type_hint",
)
CLIENT_ID = re.compile(r"cli_[0-9A-HJKMNP-TV-Z]{26}")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
CHALLENGE = {"WWW-Authenticate": 'Basic realm="gatehouse"'}


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error; `invalid_client` is a 401, the rest are 400s."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description

    def response(self) -> tuple[dict, int, dict]:
        body = {"error": self.error, "error_description": self.description}
        if self.error == "invalid_client":
            return body, 401, {**NO_STORE, **CHALLENGE}
        return body, 400, NO_STORE


def parameters(body) -> dict[str, str]:
    """The parameters we know, whether form-encoded or JSON; others are ignored (RFC 6749 3.2).

    The spec types every known parameter as a string, so validation has
    already refused anything else.
    """
    if not isinstance(body, dict):
        raise OAuthError("invalid_request", "The body must be form-encoded or a JSON object.")
    return {name: body[name] for name in PARAMETERS if isinstance(body.get(name), str)}


def authenticated_client(uow: UnitOfWork, form: dict[str, str]) -> OAuthClient:
    client_id, secret = _presented_credentials(form)
    if not client_id or not secret:
        raise OAuthError(
            "invalid_client",
            "Client authentication is required: HTTP Basic, or client_id and client_secret.",
        )
    # Only a well-formed id reaches the database (PostgreSQL refuses NUL in text, for one).
    client = uow.oauth_clients.get(client_id) if CLIENT_ID.fullmatch(client_id) else None
    # One answer for an unknown client and a wrong secret: neither reveals the other.
    stored = client.secret_hash if client is not None else "0" * 64
    if not hmac.compare_digest(stored, hash_secret(secret)) or client is None:
        raise OAuthError("invalid_client", "Client authentication failed.")
    if client.status != "active":
        raise OAuthError("invalid_client", "The client has been revoked.")
    return client


def _presented_credentials(form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return form.get("client_id"), form.get("client_secret")
    if form.get("client_secret"):
        raise OAuthError("invalid_request", "Authenticate the client one way, not two.")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "The Basic credentials are not valid base64.") from None
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 section 2.3.1: both halves are form-encoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)
