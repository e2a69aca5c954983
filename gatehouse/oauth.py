"""The OAuth 2.0 protocol endpoints: token (RFC 6749), revocation (RFC 7009),
introspection (RFC 7662), and the JWKS (RFC 7517).

These speak the RFCs' wire format, not the envelope: errors are
`{"error", "error_description"}` (see gatehouse.client_auth); tokens
themselves come from TokenService.
"""

from __future__ import annotations

from connexion import NoContent

from gatehouse.client_auth import NO_STORE, OAuthError, authenticated_client, parameters
from gatehouse.context import current_services
from gatehouse.introspection import describe
from gatehouse.tokens import InvalidGrant, InvalidScope
from storage import UnitOfWork, unit_of_work
from storage.models import OAuthClient

GRANT_TYPES = ("client_credentials", "refresh_token")
JWKS_CACHE = {"Cache-Control": "public, max-age=300"}


def issue_token(body: dict) -> tuple[dict, int, dict]:
    """POST /oauth/token: the client credentials and refresh token grants."""
    try:
        form = parameters(body)
        with unit_of_work() as uow:
            client = authenticated_client(uow, form)
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "grant_type is required.")
            if grant_type == "client_credentials":
                return _client_credentials(uow, client, form)
            if grant_type == "refresh_token":
                return _refreshed(uow, client, form)
            raise OAuthError(
                "unsupported_grant_type", f"Supported grant types: {', '.join(GRANT_TYPES)}."
            )
    except OAuthError as error:
        return error.response()


def refresh_token(body: dict) -> tuple[dict, int, dict]:
    """POST /oauth/refresh: the refresh token grant without `grant_type`."""
    try:
        form = parameters(body)
        with unit_of_work() as uow:
            return _refreshed(uow, authenticated_client(uow, form), form)
    except OAuthError as error:
        return error.response()


def revoke_token(body: dict) -> tuple[object, int] | tuple[dict, int, dict]:
    """POST /oauth/revoke (RFC 7009): 200 whether or not the token was valid."""
    try:
        form = parameters(body)
        with unit_of_work() as uow:
            client = authenticated_client(uow, form)
            current_services().tokens.revoke(uow, form.get("token", ""), client_id=client.id)
            uow.commit()
    except OAuthError as error:
        return error.response()
    return NoContent, 200


def introspect_token(body: dict) -> tuple[dict, int, dict]:
    """POST /oauth/introspect (RFC 7662), for tokens of the client's own organization."""
    try:
        form = parameters(body)
        with unit_of_work() as uow:
            client = authenticated_client(uow, form)
            found = describe(uow, form.get("token", ""))
            # Only the client's own organization's tokens are described.
            if found is None or found["org"] != client.organization_id:
                found = {"active": False}
    except OAuthError as error:
        return error.response()
    return found, 200, {"Cache-Control": "no-store"}


def get_jwks() -> tuple[dict, int, dict]:
    """GET /.well-known/jwks.json: every public key whose tokens may still be valid."""
    with unit_of_work() as uow:
        return current_services().tokens.keys.jwks(uow), 200, JWKS_CACHE


def _client_credentials(
    uow: UnitOfWork, client: OAuthClient, form: dict[str, str]
) -> tuple[dict, int, dict]:
    scopes = _requested_scopes(form, client.scopes)
    grant = current_services().tokens.issue(
        uow,
        organization_id=client.organization_id,
        mode=client.mode,
        scopes=scopes,
        client_id=client.id,
    )
    uow.commit()
    return grant.as_response(), 200, NO_STORE


def _refreshed(
    uow: UnitOfWork, client: OAuthClient, form: dict[str, str]
) -> tuple[dict, int, dict]:
    presented = form.get("refresh_token")
    if not presented:
        raise OAuthError("invalid_request", "refresh_token is required.")
    scopes = _requested_scopes(form, None) if form.get("scope") else None
    try:
        grant = current_services().tokens.refresh(
            uow, presented, client_id=client.id, scopes=scopes
        )
    except InvalidGrant as error:
        raise OAuthError("invalid_grant", str(error)) from None
    except InvalidScope as error:
        raise OAuthError("invalid_scope", str(error)) from None
    uow.commit()
    return grant.as_response(), 200, NO_STORE


def _requested_scopes(form: dict[str, str], allowed: list[str] | None) -> list[str]:
    """`scope` as a list (the client's all if absent), refusing any beyond `allowed`."""
    text = form.get("scope")
    if not text or not text.strip():
        return list(allowed or ())
    wanted = list(dict.fromkeys(text.split()))
    beyond = [scope for scope in wanted if allowed is not None and scope not in allowed]
    if beyond:
        raise OAuthError("invalid_scope", f"The client may not have: {' '.join(beyond)}.")
    return wanted
