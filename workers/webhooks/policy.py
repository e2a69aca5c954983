"""How deliveries are attempted: timeouts, the retry schedule, when an endpoint is disabled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage.clock import utcnow

# A Retry-After longer than this is not honoured as such (the endpoint would park us for days).
MAX_RETRY_AFTER_SECONDS = 6 * 3600


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout_seconds: float = 10.0
    # Delays before the 2nd, 3rd, ... attempt; after the last, the delivery has failed.
    retry_schedule: tuple[int, ...] = (60, 300, 1800)
    # Consecutive failed deliveries after which an endpoint is disabled.
    disable_after: int = 5
    allow_private: bool = False
    # How long a rotated-out secret keeps signing next to the new one.
    secret_grace_seconds: int = 86400
    # An attempt in flight holds its delivery this long; a killed worker's hold lapses.
    lease_seconds: float = 40.0
    # A dispatched delivery nothing came of is handed to the transport again after this.
    redispatch_seconds: float = 60.0
    clock: Callable[[], datetime] = field(default=utcnow, compare=False)

    def retry_delay(
        self, attempts_made: int, status: int | None, retry_after: int | None
    ) -> timedelta | None:
        """The wait before the next attempt, or None when the last one was the last."""
        if attempts_made > len(self.retry_schedule):
            return None
        seconds = self.retry_schedule[attempts_made - 1]
        if status in (429, 503) and retry_after is not None:
            seconds = min(retry_after, MAX_RETRY_AFTER_SECONDS)
        return timedelta(seconds=seconds)
