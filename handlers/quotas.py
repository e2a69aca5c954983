"""Rate-limit quotas: where a credential stands in each of its windows.

The windows and their counters are the gateway's (gatehouse.rate_limits);
this only chooses whose they are and shows them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from limits.errors import StorageError

from gatehouse.context import current_services
from gatehouse.errors import ApiError
from handlers import envelope
from handlers.errors import NotFound
from storage import unit_of_work
from storage.clock import rfc3339

KINDS = (("key_id", "api_key"), ("client_id", "oauth_client"), ("user_id", "user"))


def get_usage_quotas(user: str, token_info: dict, key_id: str | None = None) -> dict:
    principal = _key_principal(user, key_id) if key_id else token_info
    try:
        windows = current_services().rate_limits.standing(principal)
    except StorageError:
        raise ApiError(503, "The rate-limit store is unreachable; retry shortly.") from None
    claim, kind = next((claim, kind) for claim, kind in KINDS if principal.get(claim))
    return envelope.one(
        {
            "credentialId": principal[claim],
            "credentialType": kind,
            "tier": principal.get("tier") or "free",
            "rateLimit": principal.get("rate_limit"),
            "windows": [
                {
                    "name": window.name,
                    "limit": window.limit,
                    "windowSeconds": window.seconds,
                    "remaining": window.remaining,
                    "resetAt": rfc3339(datetime.fromtimestamp(window.reset_at, UTC)),
                    "reset": window.reset_at,
                }
                for window in windows
            ],
        }
    )


def _key_principal(organization_id: str, key_id: str) -> dict:
    """What the limiter knows of a key when it is the one calling."""
    with unit_of_work() as uow:
        key = uow.api_keys.get_for(organization_id, key_id)
        if key is None:
            raise NotFound("API key", key_id)
        return {"key_id": key.id, "tier": key.tier, "rate_limit": key.rate_limit_per_hour}
