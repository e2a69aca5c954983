"""OAuth clients (FR-002): the organization's machine clients of the client credentials grant.

Connexion passes `user` (the organization) and `token_info` (the caller's
principal). Every operation here already required `keys:manage`.
"""

from __future__ import annotations

from generated.models import OAuthClient as OAuthClientView
from generated.models import OAuthClientInput
from handlers import envelope
from handlers.errors import Conflict, NotFound
from handlers.grants import grantable_scopes
from handlers.plans import check_rate_limit, plan_of
from storage import unit_of_work
from storage.clients import IssuedClient, issue_client, new_client_secret
from storage.clock import rfc3339, utcnow
from storage.models import OAuthClient


def list_oauth_clients(user: str, page: int = 1, per_page: int = 20) -> dict:
    with unit_of_work() as uow:
        result = uow.oauth_clients.search(user, page=page, per_page=per_page)
        return envelope.page([_view(client) for client in result.items], result)


def get_oauth_client(user: str, client_id: str) -> dict:
    with unit_of_work() as uow:
        return envelope.one(_view(_existing(uow, user, client_id)))


def create_oauth_client(user: str, token_info: dict, body: dict) -> tuple[dict, int]:
    wanted = OAuthClientInput.model_validate(body)
    scopes = grantable_scopes(wanted.scopes, token_info)
    with unit_of_work() as uow:
        check_rate_limit(plan_of(uow, user), wanted.rate_limit)
        issued = issue_client(
            uow, user, name=wanted.name, mode=wanted.mode or "test", scopes=scopes
        )
        issued.record.rate_limit_per_hour = wanted.rate_limit
        uow.commit()
        return envelope.one(_revealed(issued)), 201


def revoke_oauth_client(user: str, token_info: dict, client_id: str) -> tuple[None, int]:
    # A client that revoked itself would lose the token making the request mid-conversation.
    if token_info.get("client_id") == client_id:
        raise Conflict("A client cannot revoke itself; use another credential with keys:manage.")
    with unit_of_work() as uow:
        client = _existing(uow, user, client_id)
        if client.status != "revoked":
            client.status, client.revoked_at = "revoked", utcnow()
        uow.commit()
    return None, 204


def rotate_oauth_client_secret(user: str, client_id: str) -> dict:
    with unit_of_work() as uow:
        client = _existing(uow, user, client_id)
        if client.status == "revoked":
            raise Conflict(f"The OAuth client {client_id} is revoked; register a new one.")
        secret = new_client_secret(client)
        uow.commit()
        return envelope.one(_revealed(IssuedClient(client, secret)))


def _existing(uow, organization_id: str, client_id: str) -> OAuthClient:
    client = uow.oauth_clients.get_for(organization_id, client_id)
    if client is None:
        raise NotFound("OAuth client", client_id)
    return client


def _view(client: OAuthClient) -> dict:
    view = OAuthClientView(
        id=client.id,
        name=client.name,
        mode=client.mode,
        scopes=client.scopes,
        status=client.status,
        created_at=client.created_at,
        revoked_at=client.revoked_at,
        rate_limit=client.rate_limit_per_hour,
    )
    shown = view.model_dump(by_alias=True)
    for name in ("createdAt", "revokedAt"):
        if shown[name] is not None:
            shown[name] = rfc3339(shown[name])
    return shown


def _revealed(issued: IssuedClient) -> dict:
    """The one view that holds the secret: at registration and rotation."""
    return {**_view(issued.record), "clientSecret": issued.secret}
