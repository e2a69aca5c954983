"""With Redis: queue depth is the RQ queue's length, and what a `gatehouse worker`
delivers reaches a scrape answered by the API process (one metrics directory per host)."""

from __future__ import annotations

import json
import secrets
import subprocess

import pytest
import requests
from cryptography.fernet import Fernet
from redis import Redis
from rq import Queue

from storage import Database
from storage.keys import Keyring
from tests.integration.test_metrics import open_scrape, wait_for
from tests.support.api import PRODUCTS, product_body
from tests.support.receiver import Receiver
from tests.support.server import GATEHOUSE, ROOT, LiveServer, free_port
from tests.support.services import REDIS_HOST, REDIS_PORT, fresh_postgres_database, require
from workers.webhooks import jobs
from workers.webhooks.context import DeliveryContext
from workers.webhooks.policy import DeliveryPolicy
from workers.webhooks.relay import relay_once

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/12"  # a database of its own


def value(scraped, name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def test_worker_deliveries_and_queue_depth_reach_the_api_scrape(tmp_path):
    require("Redis", REDIS_HOST, REDIS_PORT)
    queue = Queue("webhooks", connection=Redis.from_url(REDIS_URL))
    queue.empty()
    with fresh_postgres_database() as database_url, Receiver() as receiver:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "GATEHOUSE_SECRET_KEY": Fernet.generate_key().decode(),
            # The API process and the worker share a host, so a metrics directory.
            "GATEHOUSE_VAR_DIR": str(tmp_path),
            "GATEHOUSE_VALIDATE_RESPONSES": "true",
            "GATEHOUSE_LOG_JSON": "true",
        }
        api = LiveServer(env, tmp_path / "server.log").start()
        worker = None
        try:
            credentials = api.new_tenant("Queued")
            hook = {"url": receiver.url, "events": ["product.created"]}
            registered = api_post(api, credentials, "/api/v1/webhooks", hook)
            assert registered.status_code == 201, registered.text
            sku = f"QUEUED-{secrets.token_hex(4).upper()}"
            created = api_post(api, credentials, PRODUCTS, product_body(sku))
            assert created.status_code == 201, created.text

            # A relay hands the delivery to the queue; no worker runs yet.
            database = Database(database_url, pool_size=1)
            try:
                keyring = Keyring(env["GATEHOUSE_SECRET_KEY"].encode())
                ctx = DeliveryContext(database, keyring, DeliveryPolicy(allow_private=True))
                for delivery_id in relay_once(ctx):
                    queue.enqueue(jobs.deliver_job, delivery_id, result_ttl=0)
            finally:
                database.dispose()
            queued = open_scrape(api)
            assert value(queued, "gatehouse_queue_depth", queue="webhooks") == 1
            assert value(queued, "gatehouse_webhook_deliveries_total", outcome="succeeded") == 0

            worker_port = free_port()
            worker = subprocess.Popen(
                [str(GATEHOUSE), "worker", "--metrics-port", str(worker_port)],
                env=api.env,
                cwd=ROOT,
                stdout=(tmp_path / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            wait_for(lambda: len(receiver.received) == 2, "the worker's delivery")
            counted = wait_for(
                lambda: (
                    (now := open_scrape(api))
                    and value(now, "gatehouse_webhook_deliveries_total", outcome="succeeded")
                    and now
                ),
                "the worker's delivery in the API's scrape",
            )
            assert value(counted, "gatehouse_webhook_deliveries_total", outcome="succeeded") == 1
            assert value(counted, "gatehouse_queue_depth", queue="webhooks") == 0
            # The worker's own port serves the same host totals (for hosts with no API).
            own = requests.get(f"http://127.0.0.1:{worker_port}/metrics", timeout=10).text
            assert 'gatehouse_webhook_deliveries_total{outcome="succeeded"} 1.0' in own
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
            api.stop()
    # The worker's lines, RQ's own included, are JSON; its delivery names itself.
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()]
    attempts = [line for line in lines if line["event"] == "webhook delivery attempt"]
    assert [(a["outcome"], a["response_status"]) for a in attempts] == [("succeeded", 200)]
    assert attempts[0]["delivery_id"].startswith("whd_")
    [created] = [got.json for got in receiver.received if got.json["event"] == "product.created"]
    assert attempts[0]["event_id"] == created["id"]
    assert any(line.get("logger", "").startswith("rq.") for line in lines)


def api_post(api, credentials, path: str, body: dict) -> requests.Response:
    return requests.post(api.url + path, json=body, auth=credentials.auth, timeout=10)
