"""API keys: issuing them, finding them by hash, keeping their secrets encrypted."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock

from cryptography.fernet import Fernet

from storage import UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.models import ApiKey

TIERS = ("free", "pro", "enterprise")
MODES = ("test", "live")
DEFAULT_EXPIRY_DAYS = 365


@dataclass(frozen=True)
class IssuedKey:
    """A key as created: the only moment its full key and secret exist in clear."""

    record: ApiKey
    key: str
    secret: str


def hash_key(key: str) -> str:
    # Keys are 192 random bits, so a fast hash is enough to make the table useless to a thief.
    return hashlib.sha256(key.encode()).hexdigest()


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
        expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
    ) -> IssuedKey:
        if mode not in MODES or tier not in TIERS:
            raise ValueError(f"mode must be one of {MODES} and tier one of {TIERS}")
        key = f"ak_{mode}_{secrets.token_urlsafe(24)}"
        secret = f"sk_{secrets.token_urlsafe(32)}"
        now = utcnow()
        record = ApiKey(
            id=new_id("key"),
            organization_id=organization_id,
            name=name,
            prefix=key[:16],
            key_hash=hash_key(key),
            secret_ciphertext=self._fernet.encrypt(secret.encode()).decode(),
            mode=mode,
            tier=tier,
            status="active",
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        uow.api_keys.add(record)
        return IssuedKey(record=record, key=key, secret=secret)

    def secret_of(self, record: ApiKey) -> str:
        return self._fernet.decrypt(record.secret_ciphertext.encode()).decode()


class LastUsedRecorder:
    """Keeps `last_used_at` fresh to the minute without a write on every request.

    Each process writes a key's timestamp at most once per `granularity`; the
    UPDATE itself also skips rows another process refreshed recently.
    """

    def __init__(self, granularity: timedelta = timedelta(minutes=1)) -> None:
        self.granularity = granularity
        self._written: dict[str, float] = {}
        self._lock = Lock()

    def due(self, key_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._written.get(key_id, float("-inf")) < self.granularity.total_seconds():
                return False
            self._written[key_id] = now
            return True

    def record(self, uow: UnitOfWork, key_id: str, moment: datetime) -> None:
        uow.api_keys.touch(key_id, moment, granularity=self.granularity)
