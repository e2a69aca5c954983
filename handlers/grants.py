"""What a credential may hand on: a new key or client never gets a scope its creator lacks."""

from __future__ import annotations

from handlers.errors import Forbidden


def grantable_scopes(requested: list[str] | None, token_info: dict) -> list[str]:
    """The scopes asked for (all the caller holds if none), refusing any it lacks."""
    held = list(token_info.get("scope") or ())
    if requested is None:
        return held
    lacking = [scope for scope in requested if scope not in held]
    if lacking:
        noun = "scope" if len(lacking) == 1 else "scopes"
        holder = "key" if token_info.get("kind", "api_key") == "api_key" else "token"
        raise Forbidden(f"This {holder} cannot grant the {noun} {', '.join(lacking)} it lacks.")
    return list(requested)
