"""GET /api/metrics and the JSON logs, through HTTP against real servers.

Each server here has a database of its own: any Gatehouse process on a
database relays and delivers its webhooks, and counts what it does in its own
host's metrics, so a shared database would let another process do (and count)
what these tests expect to see here.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from storage import Database
from storage.ids import new_id
from storage.keys import Keyring
from tests.support.api import PRODUCTS, assert_error, product_body
from tests.support.receiver import Receiver
from tests.support.server import GATEHOUSE, ROOT, LiveServer, free_port
from tests.support.services import fresh_postgres_database
from workers.webhooks.context import DeliveryContext
from workers.webhooks.policy import DeliveryPolicy
from workers.webhooks.relay import relay_once

TOKEN = f"metrics-{secrets.token_urlsafe(16)}"
WEBHOOKS = "/api/v1/webhooks"
LOGIN = "/api/v1/auth/login"
METRICS = "/api/metrics"
PER_ADDRESS = 2


@contextmanager
def own_database(backend: str, var_dir):
    if backend == "sqlite":
        yield f"sqlite:///{var_dir / 'gatehouse.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@contextmanager
def own_server(backend: str, tmp_path_factory, name: str, **settings: str):
    var_dir = tmp_path_factory.mktemp(f"{name}-{backend}")
    with own_database(backend, var_dir) as url:
        env = {
            "DATABASE_URL": url,
            "GATEHOUSE_VAR_DIR": str(var_dir),
            "GATEHOUSE_SECRET_KEY": Fernet.generate_key().decode(),
            "GATEHOUSE_VALIDATE_RESPONSES": "true",
            **settings,
        }
        live = LiveServer(env, var_dir / "server.log").start()
        try:
            yield live
        finally:
            live.stop()


@pytest.fixture(scope="module")
def observed(backend, tmp_path_factory):
    """Metrics behind a token, JSON logs, and a tiny sign-in budget to reach a 429."""
    with own_server(
        backend,
        tmp_path_factory,
        "metrics",
        GATEHOUSE_METRICS="token",
        GATEHOUSE_METRICS_TOKEN=TOKEN,
        GATEHOUSE_METRICS_ALLOW="127.0.0.0/8,::1",
        GATEHOUSE_LOG_JSON="true",
        GATEHOUSE_LOGIN_LIMIT_PER_ADDRESS=f"{PER_ADDRESS} per 15 minutes",
    ) as live:
        yield live


@pytest.fixture(scope="module")
def credentials(observed):
    return observed.new_tenant("Observed")


def scrape(server) -> dict[tuple[str, frozenset], float]:
    response = requests.get(
        server.url + METRICS, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def increase(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def requests_counted(before, after, operation: str, status: int) -> float:
    return increase(
        before, after, "gatehouse_http_requests_total", operation=operation, status=str(status)
    )


def test_requests_are_counted_by_operation_and_status(observed, credentials):
    before = scrape(observed)
    missing = f"{PRODUCTS}/{new_id('prod')}"
    for _ in range(3):
        assert requests.get(observed.url + "/api/health", timeout=10).status_code == 200
    for _ in range(2):
        response = requests.get(observed.url + missing, auth=credentials.auth, timeout=10)
        assert_error(response, 404, "NOT_FOUND")
    assert_error(requests.get(observed.url + missing, timeout=10), 401, "AUTHENTICATION_ERROR")
    after = scrape(observed)

    assert requests_counted(before, after, "gatehouse.health.get_health", 200) == 3
    assert requests_counted(before, after, "handlers.products.get_product", 404) == 2
    assert requests_counted(before, after, "handlers.products.get_product", 401) == 1
    # The first scrape itself, counted once its answer was sent.
    assert requests_counted(before, after, "gatehouse.metrics_endpoint.get_metrics", 200) == 1
    # Operation ids only: no raw path, so no id, ever becomes a label value.
    labels = {value for _, pairs in after for _, value in pairs}
    assert not [value for value in labels if "prod_" in value or "/" in value]

    histogram = "gatehouse_http_request_duration_seconds"
    lookup = {"operation": "handlers.products.get_product", "status": "404"}
    assert increase(before, after, f"{histogram}_count", **lookup) == 2
    assert increase(before, after, f"{histogram}_bucket", le="+Inf", **lookup) == 2
    buckets = [
        dict(pairs)["le"]
        for name, pairs in after
        if name == f"{histogram}_bucket" and lookup.items() <= dict(pairs).items()
    ]
    assert {"0.005", "0.1", "1.0", "10.0", "+Inf"} <= set(buckets)
    assert increase(before, after, f"{histogram}_sum", **lookup) > 0


def test_metrics_need_the_token(observed):
    refused = requests.get(observed.url + METRICS, timeout=10)
    error = assert_error(refused, 401, "AUTHENTICATION_ERROR")
    assert "Bearer" in error["message"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.get(
        observed.url + METRICS, headers={"Authorization": f"Bearer {TOKEN}x"}, timeout=10
    )
    assert_error(wrong, 401, "AUTHENTICATION_ERROR")
    assert "gatehouse_http_requests_total" not in wrong.text
    answered = requests.get(
        observed.url + METRICS, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert answered.status_code == 200
    assert "# TYPE gatehouse_http_requests_total counter" in answered.text


def test_rate_limit_rejections_are_counted(observed):
    before = scrape(observed)
    guess = {"email": f"nobody-{secrets.token_hex(4)}@example.com", "password": "not-the-password"}
    statuses = [
        requests.post(observed.url + LOGIN, json=guess, timeout=10).status_code
        for _ in range(PER_ADDRESS + 1)
    ]
    assert statuses == [401] * PER_ADDRESS + [429]
    after = scrape(observed)
    assert requests_counted(before, after, "handlers.auth.login", 401) == PER_ADDRESS
    assert requests_counted(before, after, "handlers.auth.login", 429) == 1
    rejected = increase(
        before, after, "gatehouse_rate_limit_rejections_total", operation="handlers.auth.login"
    )
    assert rejected == 1


def wait_for(predicate, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s in vain for {what}")


def delivered(before, after, outcome: str) -> float:
    return increase(before, after, "gatehouse_webhook_deliveries_total", outcome=outcome)


def test_a_webhook_delivery_is_counted_as_succeeded(observed, credentials):
    with Receiver() as receiver:
        registered = requests.post(
            observed.url + WEBHOOKS,
            json={"url": receiver.url, "events": ["product.created"]},
            auth=credentials.auth,
            timeout=10,
        )
        assert registered.status_code == 201, registered.text
        webhook_id = registered.json()["data"]["id"]
        before = scrape(observed)
        sku = f"METRICS-{secrets.token_hex(4).upper()}"
        created = requests.post(
            observed.url + PRODUCTS, json=product_body(sku), auth=credentials.auth, timeout=10
        )
        assert created.status_code == 201, created.text
        wait_for(
            lambda: [r for r in receiver.received if r.json["event"] == "product.created"],
            "the product.created delivery",
        )
        after = wait_for(
            lambda: (now := scrape(observed)) and delivered(before, now, "succeeded") and now,
            "the delivery to be counted",
        )
        requests.delete(f"{observed.url}{WEBHOOKS}/{webhook_id}", auth=credentials.auth, timeout=10)
    assert delivered(before, after, "succeeded") == 1
    for outcome in ("retried", "failed", "disabled"):
        assert delivered(before, after, outcome) == 0


def test_logs_are_json_lines_with_the_request_id(observed, credentials):
    start = len(observed.log().splitlines())
    ids = {name: f"req-logs-{name}-{secrets.token_hex(4)}" for name in ("health", "hook", "gone")}
    requests.get(observed.url + "/api/health", headers={"X-Request-Id": ids["health"]}, timeout=10)
    with Receiver(answers=(500,)) as refusing:
        refused = requests.post(
            observed.url + WEBHOOKS,
            json={"url": refusing.url, "events": ["*"]},
            headers={"X-Request-Id": ids["hook"]},
            auth=credentials.auth,
            timeout=10,
        )
    assert_error(refused, 422, "UNPROCESSABLE")
    requests.get(observed.url + "/api/nowhere", headers={"X-Request-Id": ids["gone"]}, timeout=10)

    def logged():
        text = observed.log()
        # Whole lines only; an access line is written just after its answer is sent.
        lines = [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines()[start:]]
        accessed = {x.get("request_id") for x in lines if x["event"] == "request"}
        return lines if set(ids.values()) <= accessed else None

    lines = wait_for(logged, "the access lines of the three requests")
    for line in lines:
        # A request's lines name it; the relay's and deliveries' name their event or delivery.
        assert {"request_id", "event_id", "delivery_id"} & line.keys(), line
    by_request = {
        name: [x for x in lines if x.get("request_id") == id_] for name, id_ in ids.items()
    }
    assert [x["event"] for x in by_request["health"]] == ["request"]
    assert [x["event"] for x in by_request["gone"]] == ["request"]
    assert by_request["gone"][0]["status"] == 404
    # Logged inside the handler (Flask's thread), before the access line; the audit line of
    # the refused POST is written once the answer is sent, so its place is not fixed.
    hook_events = [x["event"] for x in by_request["hook"]]
    assert [e for e in hook_events if e != "audit"] == ["webhook test event sent", "request"]
    assert hook_events.count("audit") == 1
    assert by_request["hook"][0]["response_status"] == 500


@pytest.fixture(scope="module")
def idle_relay(backend, tmp_path_factory):
    """Open metrics, and a relay that looks at the outbox once, at start-up, only."""
    with own_server(backend, tmp_path_factory, "backlog", GATEHOUSE_WEBHOOKS_POLL="3600") as live:
        yield live


def open_scrape(server) -> dict[tuple[str, frozenset], float]:
    return open_scrape_at(server.url)


def gauge(scraped, name: str, **labels: str) -> float:
    return scraped[(name, frozenset(labels.items()))]


def test_backlog_gauges_follow_the_outbox_and_pending_deliveries(idle_relay):
    credentials = idle_relay.new_tenant("Backlog")
    empty = open_scrape(idle_relay)
    assert gauge(empty, "gatehouse_outbox_unpublished_events") == 0
    assert gauge(empty, "gatehouse_outbox_lag_seconds") == 0
    assert gauge(empty, "gatehouse_queue_depth", queue="webhooks") == 0

    with Receiver() as receiver:
        registered = requests.post(
            idle_relay.url + WEBHOOKS,
            json={"url": receiver.url, "events": ["product.created"]},
            auth=credentials.auth,
            timeout=10,
        )
        assert registered.status_code == 201, registered.text
        for n in range(2):
            sku = f"BACKLOG-{n}-{secrets.token_hex(4).upper()}"
            created = requests.post(
                idle_relay.url + PRODUCTS, json=product_body(sku), auth=credentials.auth, timeout=10
            )
            assert created.status_code == 201, created.text
        waiting = open_scrape(idle_relay)
        assert gauge(waiting, "gatehouse_outbox_unpublished_events") == 2
        assert gauge(waiting, "gatehouse_outbox_lag_seconds") > 0
        assert gauge(waiting, "gatehouse_queue_depth", queue="webhooks") == 0

        # A relay publishes them; nothing delivers yet (the server's pump is idle).
        database = Database(idle_relay.env["DATABASE_URL"], pool_size=1)
        try:
            policy = DeliveryPolicy(allow_private=True)
            key = idle_relay.env["GATEHOUSE_SECRET_KEY"].encode()
            assert len(relay_once(DeliveryContext(database, Keyring(key), policy))) == 2
        finally:
            database.dispose()
        relayed = open_scrape(idle_relay)
        assert gauge(relayed, "gatehouse_outbox_unpublished_events") == 0
        assert gauge(relayed, "gatehouse_outbox_lag_seconds") == 0
        assert gauge(relayed, "gatehouse_queue_depth", queue="webhooks") == 2
        requests.delete(
            f"{idle_relay.url}{WEBHOOKS}/{registered.json()['data']['id']}",
            auth=credentials.auth,
            timeout=10,
        )


def test_metrics_can_be_switched_off(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory, "dark", GATEHOUSE_METRICS="off") as dark:
        assert_error(requests.get(dark.url + METRICS, timeout=10), 404, "NOT_FOUND")


def test_every_api_process_answers_the_same_totals(tmp_path):
    """`gatehouse serve --workers 2`: whichever process answers a scrape counts all of them."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gatehouse.db'}",
        "GATEHOUSE_VAR_DIR": str(tmp_path),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("wb")
    command = [str(GATEHOUSE), "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: answers(url + "/api/health"), "the two processes to answer", 60)
        health = "gatehouse.health.get_health"
        before = open_scrape_at(url).get(counter_key(health), 0.0)
        # Many connections at once, so that both processes take some.
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: answers(url + "/api/health"), range(40)))
        assert statuses == [200] * 40
        # Each scrape goes to either process; every one must see the 40 (plus the
        # scrapes before it, counted under another operation).
        for _ in range(6):
            assert open_scrape_at(url)[counter_key(health)] - before == 40
    finally:
        process.terminate()
        process.wait(timeout=30)


def answers(url: str) -> int | None:
    try:
        # A new connection each time: a kept-alive one would stay with one process.
        return requests.get(url, timeout=10, headers={"Connection": "close"}).status_code
    except requests.ConnectionError:
        return None


def counter_key(operation: str) -> tuple[str, frozenset]:
    labels = {"operation": operation, "status": "200"}
    return ("gatehouse_http_requests_total", frozenset(labels.items()))


def open_scrape_at(url: str) -> dict[tuple[str, frozenset], float]:
    response = requests.get(url + METRICS, timeout=10, headers={"Connection": "close"})
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_can_be_limited_to_addresses(backend, tmp_path_factory):
    with own_server(
        backend, tmp_path_factory, "fenced", GATEHOUSE_METRICS_ALLOW="192.0.2.0/24"
    ) as fenced:
        refused = requests.get(fenced.url + METRICS, timeout=10)
        assert (
            "GATEHOUSE_METRICS_ALLOW"
            in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
        )
        # X-Forwarded-For counts only from a trusted proxy, and none is configured.
        forged = requests.get(
            fenced.url + METRICS, headers={"X-Forwarded-For": "192.0.2.7"}, timeout=10
        )
        assert_error(forged, 403, "AUTHORIZATION_ERROR")
