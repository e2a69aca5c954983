"""Webhook delivery: events per second from commit to receiver, and the latency of each.

Both transports, started as deployed: the embedded runner (`gatehouse serve`
on SQLite, no REDIS_URL) and RQ (`gatehouse worker` on PostgreSQL and Redis).
Events are recorded in the outbox the way a domain change records them, one
commit each; a receiver on loopback notes when each event id first arrives.
Each transport gets a burst of BENCH_WEBHOOK_EVENTS (500) events recorded as
fast as one connection commits them (events per second until the backlog has
drained; the burst's p95 is mostly queueing), then 200 events paced at 20 a
second, well under capacity (the p50/p95 from commit to receiver an
integrator sees on a calm day). The services' addresses as the tests
take them (GATEHOUSE_TEST_PG_ADMIN_URL, redis on 127.0.0.1:6379 database 12).
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.fernet import Fernet

from scripts.bench.fixture import GATEHOUSE, ROOT
from scripts.bench.processes import HOST, BenchError, Server, free_port
from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import Keyring
from storage.migrate import upgrade
from storage.models import Organization
from storage.partition import Partition
from storage.webhook_models import Webhook
from workers.webhooks.signing import new_secret

PG_ADMIN = os.environ.get(
    "GATEHOUSE_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = "redis://127.0.0.1:6379/12"
# The paced run: well under either transport's capacity, so latency is not queueing.
PACED_RATE = 20  # events per second
PACED_EVENTS = 200


class Arrivals:
    """A loopback receiver: the first arrival time of every webhook-id."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        lock = threading.Lock()
        first = self.first

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.perf_counter()
                with lock:
                    first.setdefault(self.headers["webhook-id"], now)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, ids, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not set(ids) <= self.first.keys():
            if time.monotonic() > deadline:
                missing = len(set(ids) - self.first.keys())
                raise BenchError(f"{missing} events did not arrive within {timeout:.0f} s")
            time.sleep(0.02)


def _arrange(database_url: str, fernet_key: bytes, url: str) -> Partition:
    database = Database(database_url, pool_size=1)
    upgrade(database)
    now = utcnow()
    with UnitOfWork(database.session_factory) as uow:
        organization = Organization(id=new_id("org"), name="Bench webhooks", created_at=now)
        uow.session.add(organization)
        partition = Partition(organization.id, "test")
        webhook = Webhook(
            id=new_id("wh"), url=url, events=["*"], status="active", consecutive_failures=0,
            secret_ciphertext=Keyring(fernet_key).encrypt(new_secret()),
            created_at=now, updated_at=now,
        )  # fmt: skip
        partition.stamp(webhook)
        uow.session.add(webhook)
        uow.commit()
    database.dispose()
    return partition


def _record(database: Database, partition: Partition) -> tuple[str, float]:
    with UnitOfWork(database.session_factory) as uow:
        event = uow.events.record(partition, "order.created", data={"id": new_id("order")})
        uow.commit()
    return event.id, time.perf_counter()


def measure(name: str, database_url: str, argv: list[str], env: dict, workdir: Path, events: int):
    """A burst (how fast a backlog drains), then a paced run (latency when nothing queues)."""
    fernet_key = Fernet.generate_key()
    arrivals = Arrivals()
    partition = _arrange(database_url, fernet_key, arrivals.url)
    env = env | {
        "DATABASE_URL": database_url,
        "GATEHOUSE_SECRET_KEY": fernet_key.decode(),
        "GATEHOUSE_VAR_DIR": str(workdir / name),
        "GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE": "true",
    }
    database = Database(database_url, pool_size=1)
    with Server(name, argv, env, workdir / f"{name}.log", ROOT):
        warm_id, _ = _record(database, partition)
        arrivals.wait_for([warm_id], timeout=60)  # started, migrated, relaying
        burst = dict(_record(database, partition) for _ in range(events))
        arrivals.wait_for(burst, timeout=600)
        paced = {}
        for _ in range(PACED_EVENTS):
            event_id, at = _record(database, partition)
            paced[event_id] = at
            time.sleep(max(0.0, at + 1 / PACED_RATE - time.perf_counter()))
        arrivals.wait_for(paced, timeout=120)
    database.dispose()
    arrivals.server.shutdown()
    span = max(arrivals.first[i] for i in burst) - min(burst.values())
    queued = _latencies(arrivals, burst)
    steady = _latencies(arrivals, paced)
    return {
        "rate": events / span,
        "burst_p95": _p95(queued),
        "p50": statistics.median(steady),
        "p95": _p95(steady),
    }


def _latencies(arrivals: Arrivals, committed: dict[str, float]) -> list[float]:
    return sorted((arrivals.first[i] - at) * 1000 for i, at in committed.items())


def _p95(latencies: list[float]) -> float:
    return latencies[int(0.95 * (len(latencies) - 1))]


@contextmanager
def _postgres():
    import psycopg

    name = f"gatehouse_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(workdir: Path) -> dict[str, dict]:
    events = int(os.environ.get("BENCH_WEBHOOK_EVENTS", 500))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    results = {}
    print(f"webhooks: {events} events, one commit each, to a receiver on {HOST}", flush=True)
    serve = [str(GATEHOUSE), "serve", "--host", HOST, "--port", str(free_port())]
    sqlite = f"sqlite:///{workdir / 'webhooks.db'}"
    results["embedded runner (sqlite)"] = measure("embedded", sqlite, serve, env, workdir, events)
    try:
        for port in (5432, 6379):
            socket.create_connection((HOST, port), timeout=1).close()
        with _postgres() as database_url:
            worker = [str(GATEHOUSE), "worker"]
            results["rq worker (postgres)"] = measure(
                "rq", database_url, worker, env | {"REDIS_URL": REDIS_URL}, workdir, events
            )
    except (OSError, ImportError) as error:  # no PostgreSQL or Redis here: say so, go on
        print(f"  rq row skipped: {error}", flush=True)
    return results


def table(results: dict[str, dict]) -> str:
    head = ("webhook transport", "burst ev/s", "burst p95", f"p50 @{PACED_RATE}/s", "p95 ms")
    lines = [f"{head[0]:<28}" + "".join(f"{h:>14}" for h in head[1:])]
    for name, r in results.items():
        figures = (
            f"{r['rate']:.0f}",
            f"{r['burst_p95']:.0f}",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
        )
        lines.append(f"{name:<28}" + "".join(f"{f:>14}" for f in figures))
    return "\n".join(lines)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-webhooks-") as tmp:
        print(table(run(Path(tmp))))
