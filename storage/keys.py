"""API keys: the scope catalogue, issuing keys, keeping their secrets encrypted."""

from __future__ import annotations

import hashlib
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet

from storage.clock import utcnow
from storage.ids import new_id
from storage.models import ApiKey

if TYPE_CHECKING:  # the unit of work imports the repositories, which need SCOPES
    from storage.uow import UnitOfWork

# Lowest first: an organization's plan allows its own tier and those below it.
TIERS = ("free", "pro", "enterprise")
MODES = ("test", "live")
# The one catalogue of scopes; the spec's `Scope` enum lists the same names.
SCOPES = (
    "products:read",
    "products:write",
    "orders:read",
    "orders:write",
    "customers:read",
    "customers:write",
    "inventory:read",
    "inventory:write",
    "webhooks:manage",
    "keys:manage",
    "usage:read",
    "audit:read",
    "support:read",
    "support:write",
)
DEFAULT_EXPIRY_DAYS = 365


def tiers_within(plan: str) -> tuple[str, ...]:
    """The key tiers an organization on `plan` may issue."""
    return TIERS[: TIERS.index(plan) + 1]


def tier_refusal(plan: str, tier: str) -> str | None:
    """Why an organization on `plan` may not issue a key of `tier`; None if it may."""
    allowed = tiers_within(plan)
    if tier in allowed:
        return None
    return f"The organization's {plan} plan allows the tiers {', '.join(allowed)}."


_current: ContextVar[Keyring] = ContextVar("gatehouse_keyring")


@dataclass(frozen=True)
class IssuedKey:
    """A key as created: the only moment its full key and secret exist in clear."""

    record: ApiKey
    key: str
    secret: str


def hash_key(key: str) -> str:
    # Keys are 192 random bits, so a fast hash is enough to make the table useless to a thief.
    return hashlib.sha256(key.encode()).hexdigest()


def key_status(record: ApiKey, now: datetime) -> str:
    """active, revoked or expired: expiry is a matter of time, never a stored state."""
    if record.status == "revoked":
        return "revoked"
    if record.expires_at is not None and record.expires_at <= now:
        return "expired"
    return "active"


class Keyring:
    """Issues keys and opens their stored secrets with the server's Fernet key."""

    def __init__(self, fernet_key: bytes) -> None:
        self._fernet = Fernet(fernet_key)

    def issue(
        self,
        uow: UnitOfWork,
        organization_id: str,
        *,
        name: str = "Default key",
        mode: str = "test",
        tier: str = "free",
        scopes: tuple[str, ...] | list[str] = SCOPES,
        ip_allowlist: list[str] | None = None,
        expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
    ) -> IssuedKey:
        if mode not in MODES or tier not in TIERS:
            raise ValueError(f"mode must be one of {MODES} and tier one of {TIERS}")
        unknown = set(scopes) - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
        key = f"ak_{mode}_{secrets.token_urlsafe(24)}"
        secret = f"sk_{secrets.token_urlsafe(32)}"
        now = utcnow()
        record = ApiKey(
            id=new_id("key"),
            organization_id=organization_id,
            name=name,
            prefix=key[:16],
            key_hash=hash_key(key),
            secret_ciphertext=self.encrypt(secret),
            mode=mode,
            tier=tier,
            status="active",
            # Catalogue order, so a key's scopes read the same however they were asked for.
            scopes=[scope for scope in SCOPES if scope in set(scopes)],
            ip_allowlist=list(ip_allowlist) if ip_allowlist else None,
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        uow.api_keys.add(record)
        return IssuedKey(record=record, key=key, secret=secret)

    def secret_of(self, record: ApiKey) -> str:
        return self.decrypt(record.secret_ciphertext)

    def encrypt(self, plaintext: str) -> str:
        """Seal a secret for storage at rest (API key secrets, JWT signing keys)."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        return self._fernet.decrypt(ciphertext.encode()).decode()

    def seal(self, data: bytes) -> str:
        """Seal arbitrary bytes for storage at rest (stored answers, which may hold secrets)."""
        return self._fernet.encrypt(data).decode()

    def unseal(self, ciphertext: str) -> bytes:
        return self._fernet.decrypt(ciphertext.encode())


def bind_keyring(keyring: Keyring) -> None:
    """Make `keyring` the one `current_keyring()` returns in this context (set per request)."""
    _current.set(keyring)


def current_keyring() -> Keyring:
    return _current.get()
