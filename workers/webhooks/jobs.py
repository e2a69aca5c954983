"""The RQ job: `deliver_job(delivery_id)` runs the delivery function in a worker process.

The context is built on the first job from the environment (Settings), once
per process, so `rq worker` processes work as well as `gatehouse worker`.
"""

from __future__ import annotations

from workers.webhooks.context import DeliveryContext
from workers.webhooks.delivery import deliver

_context: DeliveryContext | None = None


def bind_context(ctx: DeliveryContext) -> None:
    global _context
    _context = ctx


def deliver_job(delivery_id: str) -> str | None:
    global _context
    if _context is None:
        from gatehouse.webhook_setup import delivery_context_from_env

        _context = delivery_context_from_env()
    return deliver(_context, delivery_id)
