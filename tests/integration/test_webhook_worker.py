"""RQ transport on PostgreSQL and Redis: SIGKILL a worker during a burst, lose no event.

`gatehouse worker` processes run the relay, the sweeper and the delivery jobs.
One is killed (SIGKILL: no cleanup, jobs in flight and claims held) while
events keep arriving; another takes over. Every event id must reach the
receiver at least once: the database, not the queue, is the record.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading

import pytest
from cryptography.fernet import Fernet
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import Keyring
from storage.migrate import upgrade
from storage.models import Event, Organization
from storage.partition import Partition
from storage.webhook_models import Webhook, WebhookDelivery
from tests.support.receiver import Receiver
from tests.support.server import GATEHOUSE, ROOT
from tests.support.services import REDIS_HOST, REDIS_PORT, fresh_postgres_database, require
from workers.webhooks import signing

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EVENTS = 1000
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/11"  # a database of its own


def start_worker(env, log_path):
    log = log_path.open("ab")
    return subprocess.Popen(
        [str(GATEHOUSE), "worker"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )


def setup(database_url: str, fernet_key: str, url: str) -> Partition:
    database = Database(database_url, pool_size=2)
    upgrade(database)
    keyring = Keyring(fernet_key.encode())
    now = utcnow()
    with UnitOfWork(database.session_factory) as uow:
        organization = Organization(id=new_id("org"), name="Burst", created_at=now)
        uow.session.add(organization)
        webhook = Webhook(
            id=new_id("wh"),
            url=url,
            events=["order.*"],
            status="active",
            consecutive_failures=0,
            secret_ciphertext=keyring.encrypt(signing.new_secret()),
            created_at=now,
            updated_at=now,
        )
        partition = Partition(organization.id, "test")
        partition.stamp(webhook)
        uow.session.add(webhook)
        uow.commit()
    database.dispose()
    return partition


def burst(database_url: str, partition: Partition, recorded: list[str]) -> None:
    """EVENTS events in commits of 25, as a busy API would record them."""
    database = Database(database_url, pool_size=1)
    try:
        for _ in range(EVENTS // 25):
            with UnitOfWork(database.session_factory) as uow:
                batch = [
                    uow.events.record(partition, "order.created", data={"id": new_id("order")})
                    for _ in range(25)
                ]
                uow.commit()
                recorded.extend(event.id for event in batch)
    finally:
        database.dispose()


def diagnosis(database_url: str, log_path) -> str:
    """What the outbox and the workers say, for a run that did not deliver everything."""
    database = Database(database_url, pool_size=1)
    try:
        with database.session_factory() as session:
            unpublished = session.scalar(
                select(func.count()).select_from(Event).where(Event.published_at.is_(None))
            )
            states = session.execute(
                select(
                    WebhookDelivery.status, WebhookDelivery.attempt_count, func.count()
                ).group_by(WebhookDelivery.status, WebhookDelivery.attempt_count)
            ).all()
    finally:
        database.dispose()
    tail = log_path.read_text(errors="replace").splitlines()[-40:]
    return (
        f"unpublished events: {unpublished}; deliveries (status, attempts, count): {states}\n"
        + "\n".join(tail)
    )


def test_sigkill_of_a_worker_during_a_burst_loses_no_event(tmp_path):
    require("Redis", REDIS_HOST, REDIS_PORT)
    Queue("webhooks", connection=Redis.from_url(REDIS_URL)).empty()
    with fresh_postgres_database() as database_url, Receiver() as receiver:
        fernet_key = Fernet.generate_key().decode()
        partition = setup(database_url, fernet_key, receiver.url)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "GATEHOUSE_SECRET_KEY": fernet_key,
            "GATEHOUSE_VAR_DIR": str(tmp_path),
            "GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE": "true",
            # A killed worker's holds lapse, and lost jobs are handed out again, in seconds.
            "GATEHOUSE_WEBHOOKS_LEASE": "3",
            "GATEHOUSE_WEBHOOKS_REDISPATCH": "3",
            "GATEHOUSE_WEBHOOKS_POLL": "0.2",
            # A loaded machine may time an attempt out: retry within seconds, not minutes, so
            # the test waits on the mechanism and not on the production schedule.
            "GATEHOUSE_WEBHOOKS_TIMEOUT": "10",
            "GATEHOUSE_WEBHOOKS_RETRY_SCHEDULE": ",".join(["2"] * 30),
            "GATEHOUSE_WEBHOOKS_DISABLE_AFTER": "1000",
        }
        log_path = tmp_path / "workers.log"
        first = start_worker(env, log_path)
        second = None
        recorded: list[str] = []
        producer = threading.Thread(target=burst, args=(database_url, partition, recorded))
        producer.start()
        try:
            receiver.wait_for(lambda: len(receiver.events()) >= 150, timeout=120)
            first.send_signal(signal.SIGKILL)
            first.wait()
            assert len(receiver.events()) < EVENTS, "killed after the burst: kill earlier"
            second = start_worker(env, log_path)
            producer.join()
            assert len(recorded) == EVENTS

            def all_arrived() -> bool:
                return {r.headers["webhook-id"] for r in receiver.events()} >= set(recorded)

            try:
                receiver.wait_for(all_arrived, timeout=300)
            except AssertionError as error:
                raise AssertionError(diagnosis(database_url, log_path)) from error
        finally:
            producer.join()
            for worker in (first, second):
                if worker is not None and worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=20)
    received = [r.headers["webhook-id"] for r in receiver.events()]
    assert set(received) == set(recorded)
    assert len(received) >= EVENTS  # at least once: a few may come twice
