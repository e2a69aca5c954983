"""GET /api/health with REDIS_URL set: Redis is a named check, and its absence `degraded`."""

from __future__ import annotations

import requests

from tests.support.server import LiveServer, free_port
from tests.support.services import REDIS_HOST, REDIS_PORT, require


def serve_with_redis(tmp_path, redis_url: str) -> LiveServer:
    return LiveServer(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'gatehouse.db'}",
            "GATEHOUSE_VAR_DIR": str(tmp_path),
            "REDIS_URL": redis_url,
        },
        tmp_path / "server.log",
    ).start_without_waiting_for_health()


def health(live: LiveServer) -> requests.Response:
    return requests.get(f"{live.url}/api/health", timeout=10)


def test_redis_is_checked_when_configured(tmp_path):
    require("Redis", REDIS_HOST, REDIS_PORT)
    live = serve_with_redis(tmp_path, f"redis://{REDIS_HOST}:{REDIS_PORT}/0")
    try:
        response = health(live)
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    finally:
        live.stop()


def test_an_unreachable_redis_is_named_and_degrades(tmp_path):
    # Nothing listens on a port we just freed: the closest stand-in for Redis being down.
    live = serve_with_redis(tmp_path, f"redis://127.0.0.1:{free_port()}/0")
    try:
        response = health(live)
        # The API still answers without Redis: the process stays in rotation.
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("error: ")
    finally:
        live.stop()
