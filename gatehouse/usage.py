"""Usage, counted and recorded in memory and written to the database once a second.

The request path only bumps a counter and appends a record under a lock: no
database write per request. A background thread adds the counts of each
(credential, UTC day) to `credential_usage_days` with an additive upsert, so
every API process adds its own and the totals are right however many run, and
inserts the buffered request records (`usage_records`, what the organization's
usage reports read) in the same transaction. A clean stop (the app's lifespan)
writes what is pending; a crash loses at most the last interval. A failed
write keeps its counts and records for the next attempt. The same thread
prunes records older than the retention, about once an hour.

Who a request counts for: the credential its security function identified
(`attribute`, called as soon as a key is recognised, or a Bearer token's
signature shows its OAuth client, so a request refused for a bad signature, a
revoked credential or a missing scope still counts, as an error), else the one
in the authenticated principal (`key_id`, or `client_id` for OAuth clients).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import anyio
import structlog

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.usage import COUNTERS

log = structlog.get_logger("gatehouse.usage")

# What the principal calls each kind of credential that usage is kept for.
CREDENTIAL_CLAIMS = ("key_id", "client_id", "user_id")
# Records kept in memory while the database cannot take them.
MAX_BUFFERED_RECORDS = 100_000


@dataclass
class Attribution:
    """The credential the current request is made with, once someone knows it."""

    credential_id: str | None = None
    organization_id: str | None = None


@dataclass(frozen=True)
class RequestRecord:
    """One answered request, as the gateway saw it."""

    organization_id: str
    credential_id: str | None
    operation_id: str | None
    method: str
    status: int
    latency_ms: float
    request_bytes: int
    response_bytes: int
    client_address: str | None
    user_agent: str | None
    request_id: str
    occurred_at: datetime


_attribution: ContextVar[Attribution | None] = ContextVar("gatehouse_usage", default=None)


def attribute(credential_id: str, organization_id: str | None = None) -> None:
    """Count the current request for this credential, whatever its outcome."""
    mark = _attribution.get()
    # The mark is shared with the threads the request runs in, so this reaches the middleware.
    if mark is not None:
        mark.credential_id = credential_id
        mark.organization_id = organization_id


def credential_of(mark: Attribution, principal: dict | None) -> str | None:
    if mark.credential_id:
        return mark.credential_id
    for claim in CREDENTIAL_CLAIMS:
        if principal and principal.get(claim):
            return principal[claim]
    return None


def organization_of(mark: Attribution, principal: dict | None) -> str | None:
    if principal and principal.get("org"):
        return principal["org"]
    return mark.organization_id


def prune_records(database: Database, retention_days: int, today: date) -> int:
    """Delete the usage records of days before the retention window; how many went."""
    with UnitOfWork(database.session_factory) as uow:
        deleted = uow.usage.prune(today - timedelta(days=retention_days - 1))
        uow.commit()
    return deleted


class UsageRecorder:
    def __init__(
        self,
        database: Database,
        *,
        interval_seconds: float = 1.0,
        retention_days: int = 90,
        prune_every_seconds: float = 3600.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.interval = interval_seconds
        self.retention_days = retention_days
        self.prune_every = prune_every_seconds
        self.clock = clock
        self._pending: dict[tuple[str, date], dict[str, int]] = {}
        self._records: list[dict] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def begin_request(self) -> Attribution:
        mark = Attribution()
        _attribution.set(mark)
        return mark

    def record(self, request: RequestRecord) -> None:
        """One answered request: counted for its credential (400 and above count as
        errors) and kept as a record of its organization."""
        # vars(), not asdict(): no deep copy on the request path.
        row = {**vars(request), "day": request.occurred_at.date()}
        with self._lock:
            if request.credential_id is not None:
                key = (request.credential_id, request.occurred_at.date())
                counts = self._pending.setdefault(key, dict.fromkeys(COUNTERS, 0))
                counts["requests"] += 1
                counts["errors"] += request.status >= 400
            self._records.append(row)

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
            records, self._records = self._records, []
        if not batch and not records:
            return
        try:
            with UnitOfWork(self.database.session_factory) as uow:
                uow.usage.add(batch)
                uow.usage.add_records(records)
                uow.commit()
        except Exception as error:  # the database may be briefly away: keep everything
            log.warning("usage flush failed; retrying", error=type(error).__name__)
            with self._lock:
                for key, counts in batch.items():
                    pending = self._pending.setdefault(key, dict.fromkeys(COUNTERS, 0))
                    for name, value in counts.items():
                        pending[name] += value
                # Bounded: a database away for long costs the oldest records, not the process.
                self._records = [*records, *self._records][-MAX_BUFFERED_RECORDS:]

    def prune(self) -> int:
        deleted = prune_records(self.database, self.retention_days, self.clock().date())
        if deleted:
            log.info("usage records pruned", deleted=deleted, retention_days=self.retention_days)
        return deleted

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
        next_prune = time.monotonic()
        while not self._stopping.wait(self.interval):
            self.flush()
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + self.prune_every
                try:
                    self.prune()
                except Exception as error:  # pruning is housekeeping: the next round retries
                    log.warning("usage pruning failed", error=type(error).__name__)

    @asynccontextmanager
    async def running(self, _app=None):
        """The app's lifespan: flush in the background while serving, and once at the end."""
        self.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(self.stop)
