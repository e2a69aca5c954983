"""GET /api/health: unauthenticated, and honest when the database goes away and comes back."""

from __future__ import annotations

import time
from contextlib import contextmanager

import psycopg
import pytest
import requests

from tests.support.api import PRODUCTS, REQUEST_ID, BaseUrlSession, assert_error
from tests.support.server import LiveServer
from tests.support.services import ADMIN_URL, fresh_postgres_database


def test_health_is_ok_without_credentials(server):
    response = requests.get(f"{server.url}/api/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert REQUEST_ID.match(response.headers["X-Request-Id"])


def set_connections(database: str, allowed: bool) -> None:
    """Open or close `database` to new connections; closing also ends the open ones."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )


@contextmanager
def isolated_server(tmp_path):
    """A server of its own on a PostgreSQL database of its own, which a test may break."""
    with fresh_postgres_database() as url:
        live = LiveServer(
            {
                "DATABASE_URL": url,
                "GATEHOUSE_VAR_DIR": str(tmp_path),
                "GATEHOUSE_VALIDATE_RESPONSES": "true",
            },
            tmp_path / "server.log",
        ).start()
        try:
            yield live, url.rsplit("/", 1)[1]
        finally:
            live.stop()


def health(live) -> requests.Response:
    return requests.get(f"{live.url}/api/health", timeout=10)


@pytest.mark.postgres
def test_health_names_the_database_while_it_is_down_and_recovers(tmp_path):
    with isolated_server(tmp_path) as (live, database):
        signed = BaseUrlSession(live.url, live.new_tenant("Outage").auth)
        assert signed.get(PRODUCTS).status_code == 200

        set_connections(database, allowed=False)
        try:
            down = health(live)
            assert down.status_code == 503, down.text
            body = down.json()
            assert body["status"] == "unavailable"
            assert body["checks"]["database"].startswith("error")
            # An API call needs the database too: a retryable 503, never a 500.
            assert_error(signed.get(PRODUCTS), 503, "SERVICE_UNAVAILABLE")
        finally:
            set_connections(database, allowed=True)

        deadline = time.monotonic() + 15
        while (up := health(live)).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert up.json() == {"status": "ok", "checks": {"database": "ok"}}
        assert signed.get(PRODUCTS).status_code == 200
