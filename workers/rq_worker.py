"""An RQ worker process on the Gatehouse queues (`gatehouse worker`)."""

from __future__ import annotations

from redis import Redis
from rq import Queue, Worker

QUEUES = ("webhooks", "default")


def run(redis_url: str, *, burst: bool = False) -> None:
    connection = Redis.from_url(redis_url)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    Worker(queues, connection=connection).work(burst=burst, with_scheduler=True)
