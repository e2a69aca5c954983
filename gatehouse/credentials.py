"""Credentials at the gateway: scopes as typed on the CLI, and recording last use.

Issuing keys and the scope catalogue live in storage.keys; import them from there.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from threading import Lock

from storage import UnitOfWork
from storage.keys import SCOPES


def parse_scopes(text: str) -> list[str]:
    """`a,b,c` as a list of catalogue scopes; ValueError naming any unknown one."""
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if unknown or not wanted:
        raise ValueError(
            f"unknown scopes: {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(SCOPES)}"
        )
    return wanted


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
