"""Carrying delivery ids from the relay and the sweeper to the delivery function.

`Pump` runs the relay and the sweeper in a loop and hands every id to a
`dispatch` callable: the in-process `Runner`'s thread pool in the embedded
default, or an RQ enqueue in `gatehouse worker` (workers/rq_worker.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import structlog

from workers.webhooks.context import DeliveryContext
from workers.webhooks.delivery import deliver
from workers.webhooks.relay import BATCH, relay_once, sweep_once

log = structlog.get_logger("gatehouse.webhooks")


class Pump:
    def __init__(
        self, ctx: DeliveryContext, dispatch: Callable[[str], None], *, interval: float = 0.5
    ) -> None:
        self.ctx = ctx
        self.dispatch = dispatch
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def pump_once(self) -> int:
        """One round of relay and sweep; answers how many ids were dispatched."""
        ids = relay_once(self.ctx) + sweep_once(self.ctx)
        for delivery_id in ids:
            self.dispatch(delivery_id)
        return len(ids)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="webhook-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = self.pump_once() >= BATCH
            except Exception as error:  # the database may be briefly away: try again
                log.warning("webhook relay failed; retrying", error=type(error).__name__)
                busy = False
            if not busy:
                self._stopping.wait(self.interval)


class Runner:
    """The embedded default's transport: a pump and a small pool of delivering threads."""

    def __init__(self, ctx: DeliveryContext, *, threads: int = 4, interval: float = 0.5) -> None:
        self.ctx = ctx
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self.pump = Pump(ctx, self._submit, interval=interval)

    def _submit(self, delivery_id: str) -> None:
        self._pool.submit(self._deliver, delivery_id)

    def _deliver(self, delivery_id: str) -> None:
        try:
            deliver(self.ctx, delivery_id)
        except Exception as error:  # left pending: the sweeper hands it out again
            log.warning(
                "webhook delivery failed", delivery_id=delivery_id, error=type(error).__name__
            )

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="webhook-delivery")
        self.pump.start()

    def stop(self) -> None:
        self.pump.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
