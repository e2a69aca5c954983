"""Fixtures of the integration tests, on top of the live servers of tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.support.api import BaseUrlSession, unique_prefix
from tests.support.records import issue_key
from tests.support.server import LiveServer


@pytest.fixture
def prefix() -> str:
    """A marker unique to this test, for SKUs and names, and to filter with `q`."""
    return unique_prefix()


@pytest.fixture
def anonymous(server) -> BaseUrlSession:
    return BaseUrlSession(server.url)


@pytest.fixture
def other_api(server, other_tenant) -> BaseUrlSession:
    return BaseUrlSession(server.url, other_tenant.auth)


@pytest.fixture
def fresh_key(server, tenant):
    """A new key of `tenant`'s organization, for tests that change a key's state."""
    return issue_key(server, tenant.organization_id, name="Fresh key")


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


@pytest.fixture
def visitor(people_server) -> BaseUrlSession:
    """An anonymous session on `people_server`."""
    return BaseUrlSession(people_server.url)
