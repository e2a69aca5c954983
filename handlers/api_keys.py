"""API keys (FR-004): the organization's keys, their scopes and their lifecycle.

Connexion passes `user` (the organization) and `token_info` (the calling key's
principal: its id and scopes). Every operation here already required
`keys:manage`; the rules below are the ones the spec cannot state.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from generated.models import ApiKey as ApiKeyView
from generated.models import ApiKeyInput, ApiKeyUpdate, Cidr
from handlers import envelope
from handlers.errors import Conflict, NotFound, Unprocessable
from handlers.grants import grantable_scopes
from handlers.plans import check_rate_limit, check_tier, plan_of
from storage import unit_of_work
from storage.accounts import ApiKeySearch
from storage.clock import rfc3339, utcnow
from storage.keys import IssuedKey, current_keyring, key_status
from storage.models import ApiKey


def list_api_keys(
    user: str,
    page: int = 1,
    per_page: int = 20,
    status: list[str] | None = None,
    mode: str | None = None,
) -> dict:
    now = utcnow()
    search = ApiKeySearch(
        now=now, statuses=tuple(status or ()), mode=mode, page=page, per_page=per_page
    )
    with unit_of_work() as uow:
        result = uow.api_keys.search(user, search)
        return envelope.page([_view(key, now) for key in result.items], result)


def get_api_key(user: str, key_id: str) -> dict:
    with unit_of_work() as uow:
        return envelope.one(_view(_existing(uow, user, key_id), utcnow()))


def create_api_key(user: str, token_info: dict, body: dict) -> tuple[dict, int]:
    wanted = ApiKeyInput.model_validate(body)
    scopes = grantable_scopes(wanted.scopes, token_info)
    allowlist = _allowlist(wanted.ip_allowlist, wanted.tier or "free")
    with unit_of_work() as uow:
        plan = plan_of(uow, user)
        check_tier(plan, wanted.tier or "free")
        check_rate_limit(plan, wanted.rate_limit)
        issued = current_keyring().issue(
            uow,
            user,
            name=wanted.name,
            mode=wanted.mode or "test",
            tier=wanted.tier or "free",
            scopes=scopes,
            ip_allowlist=allowlist,
            expires_in_days=wanted.expires_in_days or 365,
        )
        issued.record.rate_limit_per_hour = wanted.rate_limit
        uow.commit()
        return envelope.one(_revealed(issued)), 201


def update_api_key(user: str, token_info: dict, key_id: str, body: dict) -> dict:
    wanted = ApiKeyUpdate.model_validate(body)
    scopes = grantable_scopes(wanted.scopes, token_info)
    with unit_of_work() as uow:
        key = _existing(uow, user, key_id)
        if key.status == "revoked":
            # It stays readable as the record of what it was when revoked.
            raise Conflict("The key is revoked; it cannot be changed.")
        key.ip_allowlist = _allowlist(wanted.ip_allowlist, key.tier)
        if wanted.rate_limit != key.rate_limit_per_hour:  # an operator's override may stay
            check_rate_limit(plan_of(uow, user), wanted.rate_limit)
        key.name = wanted.name
        key.scopes = list(scopes)
        key.rate_limit_per_hour = wanted.rate_limit
        uow.commit()
        return envelope.one(_view(key, utcnow()))


def revoke_api_key(user: str, token_info: dict, key_id: str) -> tuple[None, int]:
    _not_self(token_info, key_id, "revoke")
    with unit_of_work() as uow:
        key = _existing(uow, user, key_id)
        if key.status != "revoked":
            key.status, key.revoked_at = "revoked", utcnow()
        uow.commit()
    return None, 204


def regenerate_api_key(user: str, token_info: dict, key_id: str) -> tuple[dict, int]:
    _not_self(token_info, key_id, "regenerate")
    with unit_of_work() as uow:
        old = _existing(uow, user, key_id)
        if old.status == "revoked":
            raise Conflict(f"The API key {key_id} is revoked; create a new key instead.")
        now = utcnow()
        old.status, old.revoked_at = "revoked", now
        lifetime = (old.expires_at - old.created_at).days if old.expires_at else None
        issued = current_keyring().issue(
            uow,
            user,
            name=old.name,
            mode=old.mode,
            tier=old.tier,
            scopes=old.scopes,
            ip_allowlist=old.ip_allowlist,
            expires_in_days=max(lifetime, 1) if lifetime is not None else None,
        )
        issued.record.rate_limit_per_hour = old.rate_limit_per_hour
        uow.commit()
        return envelope.one(_revealed(issued)), 201


def _existing(uow, organization_id: str, key_id: str) -> ApiKey:
    key = uow.api_keys.get_for(organization_id, key_id)
    if key is None:
        raise NotFound("API key", key_id)
    return key


def _not_self(token_info: dict, key_id: str, action: str) -> None:
    # A key that revoked itself would lock its holder out mid-conversation.
    if token_info.get("key_id") == key_id:
        raise Conflict(f"A key cannot {action} itself; use another key with keys:manage.")


def _allowlist(networks: list[Cidr] | None, tier: str) -> list[str] | None:
    if not networks:
        return None
    if tier != "enterprise":
        raise Unprocessable(
            "ipAllowlist", "An IP allowlist needs the enterprise tier.", "needs the enterprise tier"
        )
    # The spec admits only well-formed networks; stored normalised (host bits cleared).
    normalised = (str(ipaddress.ip_network(cidr.root, strict=False)) for cidr in networks)
    return list(dict.fromkeys(normalised))


def _view(key: ApiKey, now: datetime) -> dict:
    view = ApiKeyView(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        mode=key.mode,
        tier=key.tier,
        scopes=key.scopes,
        status=key_status(key, now),
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        ip_allowlist=key.ip_allowlist,
        rate_limit=key.rate_limit_per_hour,
    )
    shown = view.model_dump(by_alias=True)
    for name in ("createdAt", "lastUsedAt", "expiresAt"):
        if shown[name] is not None:
            shown[name] = rfc3339(shown[name])
    return shown


def _revealed(issued: IssuedKey) -> dict:
    """The one view that holds the key and its secret: at creation and regeneration."""
    return {**_view(issued.record, utcnow()), "key": issued.key, "secret": issued.secret}
