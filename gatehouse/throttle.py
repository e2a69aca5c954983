"""Throttling with the `limits` library: named budgets of attempts, moving windows.

A budget (`5 per 15 minutes`) is spent per key: an account, a client
address. The counters live in Redis when REDIS_URL is set, so every API
process sees the same ones; the embedded default keeps them in memory.
Keys are hashed, so no address or email reaches Redis in clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gatehouse.errors import ApiError


class RateLimited(ApiError):
    """429 RATE_LIMIT_EXCEEDED, with the seconds to wait in `Retry-After`."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Budget:
    """How many attempts of one kind (`name`) a key may make in a moving window."""

    name: str
    limit: RateLimitItem

    @classmethod
    def parse(cls, name: str, text: str) -> Budget:
        try:
            return cls(name, parse(text))
        except ValueError:
            raise ValueError(
                f"{name}: {text!r} is not a rate limit such as '5 per 15 minutes'"
            ) from None


def storage_for(redis_url: str | None) -> Storage:
    # Lazy: nothing connects until the first check. Store failures arrive as StorageError.
    return storage_from_string(redis_url or "memory://", wrap_exceptions=True)


@contextmanager
def _store() -> Iterator[None]:
    try:
        yield
    except StorageError:
        # Failing open would let a password be guessed while Redis is away.
        raise ApiError(503, "The service is briefly unavailable; retry shortly.") from None


class Throttle:
    def __init__(self, storage: Storage) -> None:
        self.limiter = MovingWindowRateLimiter(storage)

    def check(self, *charges: tuple[Budget, str]) -> None:
        """RateLimited if any (budget, key) has nothing left; spends nothing."""
        with _store():
            waits = [self._wait(budget, key) for budget, key in charges]
        longest = max((wait for wait in waits if wait is not None), default=None)
        if longest is not None:
            raise RateLimited(f"Too many attempts; retry in {longest} s.", longest)

    def spend(self, *charges: tuple[Budget, str]) -> None:
        with _store():
            for budget, key in charges:
                self.limiter.hit(budget.limit, budget.name, _hashed(key))

    def forgive(self, budget: Budget, key: str) -> None:
        """Forget the key's attempts (an account that finally signed in)."""
        with _store():
            self.limiter.clear(budget.limit, budget.name, _hashed(key))

    def _wait(self, budget: Budget, key: str) -> int | None:
        if self.limiter.test(budget.limit, budget.name, _hashed(key)):
            return None
        reset_at = self.limiter.get_window_stats(budget.limit, budget.name, _hashed(key)).reset_time
        return max(1, math.ceil(reset_at - time.time()))


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
