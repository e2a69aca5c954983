"""An RQ worker process on the Gatehouse queues (`gatehouse worker`).

Besides running jobs, each worker process runs the webhook pump (outbox relay
and sweeper), which enqueues delivery ids on the `webhooks` queue. Several
processes may run: the relay and the delivery function claim their rows, and
the database, not the queue, is the record of what is still to be delivered
(a lost job is handed out again by some process's sweeper).

Jobs run in the worker process itself (SimpleWorker), not in a fork per job:
the job reuses the process's database pool, which a forked child may not share.
"""

from __future__ import annotations

from redis import Redis
from rq import Queue, SimpleWorker

from workers.webhooks import jobs
from workers.webhooks.context import DeliveryContext
from workers.webhooks.runner import Pump

QUEUES = ("webhooks", "default")


def run(
    redis_url: str,
    *,
    burst: bool = False,
    context: DeliveryContext | None = None,
    poll_seconds: float = 0.5,
) -> None:
    connection = Redis.from_url(redis_url)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    pump = None
    if context is not None:
        jobs.bind_context(context)
        webhooks = queues[0]
        pump = Pump(
            context,
            lambda delivery_id: webhooks.enqueue(
                jobs.deliver_job, delivery_id, result_ttl=0, failure_ttl=3600
            ),
            interval=poll_seconds,
        )
        if burst:
            pump.pump_once()
        else:
            pump.start()
    try:
        SimpleWorker(queues, connection=connection).work(burst=burst, with_scheduler=True)
    finally:
        if pump is not None and not burst:
            pump.stop()
