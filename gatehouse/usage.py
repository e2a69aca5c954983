"""Usage per credential, counted in memory and added to the database once a second.

The request path only bumps a counter under a lock: no database write per
request. A background thread adds the counts of each (credential, UTC day) to
`credential_usage_days` with an additive upsert, so every API process adds its
own and the totals are right however many run. A clean stop (the app's
lifespan) writes what is pending; a crash loses at most the last interval.
A failed write keeps its counts for the next attempt.

Who a request counts for: the credential its security function identified
(`attribute`, called as soon as a key is recognised, or a Bearer token's
signature shows its OAuth client, so a request refused for a bad signature, a
revoked credential or a missing scope still counts, as an error), else the one
in the authenticated principal (`key_id`, or `client_id` for OAuth clients).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

import anyio
import structlog

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.usage import COUNTERS

log = structlog.get_logger("gatehouse.usage")

# What the principal calls each kind of credential that usage is kept for.
CREDENTIAL_CLAIMS = ("key_id", "client_id")


@dataclass
class Attribution:
    """The credential the current request is made with, once someone knows it."""

    credential_id: str | None = None


_attribution: ContextVar[Attribution | None] = ContextVar("gatehouse_usage", default=None)


def attribute(credential_id: str) -> None:
    """Count the current request for this credential, whatever its outcome."""
    mark = _attribution.get()
    # The mark is shared with the threads the request runs in, so this reaches the middleware.
    if mark is not None:
        mark.credential_id = credential_id


def credential_of(mark: Attribution, principal: dict | None) -> str | None:
    if mark.credential_id:
        return mark.credential_id
    for claim in CREDENTIAL_CLAIMS:
        if principal and principal.get(claim):
            return principal[claim]
    return None


class UsageRecorder:
    def __init__(
        self,
        database: Database,
        *,
        interval_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.interval = interval_seconds
        self.clock = clock
        self._pending: dict[tuple[str, date], dict[str, int]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def begin_request(self) -> Attribution:
        mark = Attribution()
        _attribution.set(mark)
        return mark

    def record(self, credential_id: str, status: int) -> None:
        """One answered request of the credential; 400 and above count as errors."""
        key = (credential_id, self.clock().date())
        with self._lock:
            counts = self._pending.setdefault(key, dict.fromkeys(COUNTERS, 0))
            counts["requests"] += 1
            counts["errors"] += status >= 400

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            with UnitOfWork(self.database.session_factory) as uow:
                uow.usage.add(batch)
                uow.commit()
        except Exception as error:  # the database may be briefly away: keep the counts
            log.warning("usage flush failed; retrying", error=type(error).__name__)
            with self._lock:
                for key, counts in batch.items():
                    pending = self._pending.setdefault(key, dict.fromkeys(COUNTERS, 0))
                    for name, value in counts.items():
                        pending[name] += value

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="usage-flush", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then write what is still pending."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.flush()

    @asynccontextmanager
    async def running(self, _app=None):
        """The app's lifespan: flush in the background while serving, and once at the end."""
        self.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(self.stop)
