"""Token introspection (RFC 7662): what a token is, as it stands now.

Anything not valid (expired, revoked, malformed, unknown, or its client or
user gone) is described as None, which the endpoint answers `{"active": false}`.
"""

from __future__ import annotations

from gatehouse.bearer import current_scopes
from gatehouse.context import current_services
from gatehouse.tokens import REFRESH_PREFIX, InvalidToken, hash_token
from storage import UnitOfWork
from storage.clock import utcnow


def describe(uow: UnitOfWork, token: str) -> dict | None:
    """The RFC 7662 answer for an active token (with `org`), or None."""
    if token.startswith(REFRESH_PREFIX):
        return _refresh_token_info(uow, token)
    return _access_token_info(uow, token)


def _access_token_info(uow: UnitOfWork, token: str) -> dict | None:
    tokens = current_services().tokens
    try:
        claims = tokens.decode(token)
        scopes = current_scopes(uow, claims)
    except InvalidToken:
        return None
    found = {
        "active": True,
        "token_type": "Bearer",
        "scope": " ".join(scopes),
        "sub": claims["sub"],
        "org": claims["org"],
        "mode": claims["mode"],
        "exp": claims["exp"],
        "iat": claims["iat"],
        "iss": claims["iss"],
        "aud": claims["aud"],
        "jti": claims["jti"],
    }
    if claims.get("client_id"):
        found["client_id"] = claims["client_id"]
    return found


def _refresh_token_info(uow: UnitOfWork, token: str) -> dict | None:
    record = uow.tokens.refresh_token_by_hash(hash_token(token))
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    family = uow.tokens.family(record.family_id)
    if family.revoked_at is not None:
        return None
    if family.client_id is not None:
        client = uow.oauth_clients.get(family.client_id)
        if client is None or client.status != "active":
            return None
    found = {
        "active": True,
        "token_type": "refresh_token",
        "scope": " ".join(family.scopes),
        "sub": family.user_id or family.client_id,
        "org": family.organization_id,
        "mode": family.mode,
        "exp": int(record.expires_at.timestamp()),
        "iat": int(record.created_at.timestamp()),
    }
    if family.client_id:
        found["client_id"] = family.client_id
    return found
