"""Rate limits kept in Redis: one limit across processes, and what happens when Redis goes.

Each test runs its own throwaway redis-server (never the machine's shared one),
so it can be stopped.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from tests.integration.test_rate_limits import PRODUCTS, SHIPPED_LIMITS
from tests.support.server import LiveServer, free_port


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.kill()
        process.wait()


def serve(tmp_path, name: str, redis_url: str, **extra: str) -> LiveServer:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gatehouse.db'}",
        "GATEHOUSE_VAR_DIR": str(tmp_path),
        "REDIS_URL": redis_url,
        **SHIPPED_LIMITS,
        # The hour's quota is what is shared here; a burst as wide would hide it.
        "GATEHOUSE_RATE_LIMIT_BURST": "1000 per minute",
        **extra,
    }
    return LiveServer(env, tmp_path / f"{name}.log").start()


def test_two_processes_on_one_redis_enforce_one_limit(tmp_path, own_redis):
    _, url = own_redis
    first = serve(tmp_path, "first", url)
    second = serve(tmp_path, "second", url)
    try:
        key = first.new_tenant("Shared", tier="free")
        servers = [first, second]

        def attempt(n: int) -> tuple[int, int]:
            live = servers[n % 2]
            return n % 2, requests.get(live.url + PRODUCTS, auth=key.auth, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(attempt, range(160)))

        successes = [server for server, status in outcomes if status == 200]
        refused = [server for server, status in outcomes if status == 429]
        # One limit of 100 for both: alone, each process would have let 80 through.
        assert len(successes) == 100
        assert len(refused) == 60
        assert set(successes) == {0, 1}
    finally:
        first.stop()
        second.stop()


def test_without_redis_the_api_answers_and_health_is_degraded(tmp_path, own_redis):
    process, url = own_redis
    # A long retry interval: the test sees exactly one failed attempt at Redis.
    live = serve(tmp_path, "open", url, GATEHOUSE_RATE_LIMIT_RETRY_SECONDS="600")
    try:
        key = live.new_tenant("Outage", tier="free")
        before = requests.get(live.url + PRODUCTS, auth=key.auth, timeout=30)
        assert before.status_code == 200
        assert before.headers["X-RateLimit-Remaining"] == "99"

        process.kill()
        process.wait()

        during = [requests.get(live.url + PRODUCTS, auth=key.auth, timeout=30) for _ in range(5)]
        assert [response.status_code for response in during] == [200] * 5
        # Nothing is counted, so nothing is claimed about the limits.
        assert "X-RateLimit-Remaining" not in during[-1].headers
        health = requests.get(f"{live.url}/api/health", timeout=30)
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["database"] == "ok"
        assert health.json()["checks"]["redis"].startswith("error: ")
        assert "rate limit storage unreachable" in live.log()
        # Asked again only after the bounded interval, not once per request.
        assert live.log().count("rate limit storage unreachable") == 1
        # And the operators' metric is raised, once per failed attempt.
        scrape = requests.get(f"{live.url}/api/metrics", timeout=30)
        assert scrape.status_code == 200
        assert "\ngatehouse_rate_limit_storage_failures_total 1.0\n" in scrape.text
    finally:
        live.stop()


def test_failing_closed_answers_503_without_redis(tmp_path, own_redis):
    process, url = own_redis
    live = serve(tmp_path, "closed", url, GATEHOUSE_RATE_LIMIT_ON_REDIS_FAILURE="closed")
    try:
        key = live.new_tenant("Closed", tier="free")
        assert requests.get(live.url + PRODUCTS, auth=key.auth, timeout=30).status_code == 200
        process.kill()
        process.wait()

        refused = requests.get(live.url + PRODUCTS, auth=key.auth, timeout=30)

        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        # Nothing limited can be answered: the process says so to its load balancer.
        health = requests.get(f"{live.url}/api/health", timeout=30)
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
    finally:
        live.stop()
