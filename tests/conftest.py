"""Fixtures shared by every test: real servers on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

import pytest
import requests

from tests.support.backends import BACKENDS
from tests.support.server import LiveServer
from tests.support.services import fresh_postgres_database

# Every Gatehouse process the suite starts inherits these. Webhook tests and the
# contract run register receivers on loopback, and any process on a database
# runs its webhook relay and delivers that database's webhooks: a second server
# on the same database (as some tests start) must follow the same rules.
WEBHOOK_TEST_SETTINGS = {
    "GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE": "true",
    "GATEHOUSE_WEBHOOKS_TIMEOUT": "3",
    "GATEHOUSE_WEBHOOKS_POLL": "0.2",
}


def pytest_configure(config) -> None:
    for name, value in WEBHOOK_TEST_SETTINGS.items():
        os.environ.setdefault(name, value)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'gatehouse.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def server(backend, database_url, tmp_path_factory):
    """A Gatehouse process with response validation on, one per backend."""
    var_dir = tmp_path_factory.mktemp(f"var-{backend}")
    live = LiveServer(
        {
            "DATABASE_URL": database_url,
            "GATEHOUSE_VAR_DIR": str(var_dir),
            "GATEHOUSE_VALIDATE_RESPONSES": "true",
        },
        var_dir / "server.log",
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def tenant(server):
    """An organization with a test-mode key."""
    return server.new_tenant("Acme")


@pytest.fixture(scope="session")
def other_tenant(server):
    return server.new_tenant("Globex")


@pytest.fixture
def api(server, tenant):
    """A requests session that signs as `tenant`, with the base URL joined on."""
    return ApiSession(server.url, tenant.auth)


class ApiSession(requests.Session):
    def __init__(self, base_url: str, auth) -> None:
        super().__init__()
        self.base_url = base_url
        self.auth = auth

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base_url + url, *args, **kwargs)


@pytest.fixture(scope="session")
def people_server(server, tmp_path_factory):
    """A second process on `server`'s database and var dir (so the same keys and mail
    folder) for the accounts tests: the contract tests fuzz sign-in from 127.0.0.1
    and spend the per-address budget of `server`, so this one has a wide budget.
    Throttling itself is tested on a server of its own with small budgets.
    """
    log_dir = tmp_path_factory.mktemp("people")
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    env |= {
        "GATEHOUSE_VALIDATE_RESPONSES": "true",
        "GATEHOUSE_LOGIN_LIMIT_PER_ADDRESS": "1000 per 15 minutes",
        "GATEHOUSE_RESET_LIMIT_PER_ADDRESS": "1000 per hour",
    }
    live = LiveServer(env, log_dir / "server.log").start()
    yield live
    live.stop()
