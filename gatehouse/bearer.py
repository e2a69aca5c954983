"""The OAuth2 security scheme: `Authorization: Bearer <JWT access token>`.

Connexion calls `verify_bearer_token` (x-tokenInfoFunc in the spec) for every
operation that names the scheme. The JWT is checked first (signature with the
key its `kid` names, RS256 only, expiry, issuer, audience; see
TokenService.decode), then its revocation state in the database, on every
request, so a revoked client, grant or user is refused at once in every
process. Last, the operation's scopes.
"""

from __future__ import annotations

import anyio
from connexion.exceptions import OAuthProblem

from gatehouse.context import current_services
from gatehouse.security import require_scopes
from gatehouse.tokens import InvalidToken, TokenService
from gatehouse.usage import attribute
from storage import Database, UnitOfWork


def invalid_token(message: str) -> OAuthProblem:
    """A 401 in the envelope, with the RFC 6750 challenge a Bearer client expects."""
    problem = OAuthProblem(detail=message)
    problem.headers = {"WWW-Authenticate": 'Bearer realm="gatehouse", error="invalid_token"'}
    return problem


def current_scopes(uow: UnitOfWork, claims: dict) -> list[str]:
    """The token's scopes as they stand now, or InvalidToken if its holder lost them all."""
    if uow.tokens.access_token_revoked(claims["jti"]):
        raise InvalidToken("The access token has been revoked.")
    family = uow.tokens.family(claims["sid"])
    if family is None or family.revoked_at is not None:
        raise InvalidToken("The access token's grant has been revoked.")
    granted = claims["scope"].split()
    if family.client_id is not None:
        client = uow.oauth_clients.get(family.client_id)
        if client is None or client.status != "active":
            raise InvalidToken("The OAuth client of this access token has been revoked.")
        # A client's scopes may have been narrowed since the token was minted.
        return [scope for scope in granted if scope in client.scopes]
    held = uow.users.current_scopes(family.user_id, family.organization_id)
    if held is None:
        raise InvalidToken("The user of this access token is no longer active in its organization.")
    return [scope for scope in granted if scope in held]


def principal(service: TokenService, database: Database, token: str) -> dict:
    """The caller behind a Bearer token (blocking: database reads), or InvalidToken."""
    claims = service.decode(token)
    if claims.get("client_id"):
        # The signature is good, so the client is known: from here on even a
        # refusal (revoked, missing scope) counts in its usage, as for a key.
        attribute(claims["client_id"], claims["org"])
    with UnitOfWork(database.session_factory) as uow:
        scopes = current_scopes(uow, claims)
        holder = (
            uow.oauth_clients.get(claims["client_id"])
            if claims.get("client_id")
            else uow.users.get(claims["user_id"])
        )
        rate_limit = holder.rate_limit_per_hour if holder is not None else None
    found = {
        "sub": claims["org"],
        "org": claims["org"],
        "kind": "user" if claims.get("user_id") else "oauth_client",
        "mode": claims["mode"],
        "scope": scopes,
        "jti": claims["jti"],
        # The holder's own hourly quota, if it has one (gatehouse.rate_limits).
        "rate_limit": rate_limit,
    }
    for name in ("client_id", "user_id"):
        if claims.get(name):
            found[name] = claims[name]
    return found


async def verify_bearer_token(token: str, required_scopes=None) -> dict:
    """x-tokenInfoFunc of OAuth2: authenticate the token, then check the operation's scopes."""
    services = current_services()
    try:
        # Signature checks and database reads block: keep them off the event loop.
        found = await anyio.to_thread.run_sync(principal, services.tokens, services.database, token)
    except InvalidToken as error:
        raise invalid_token(str(error)) from None
    require_scopes(required_scopes, found["scope"], holder="token")
    return found
