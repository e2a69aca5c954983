"""Fixtures of the integration tests, on top of the live servers of tests/conftest.py."""

from __future__ import annotations

import pytest

from storage import Database
from tests.support.api import BaseUrlSession, unique_prefix
from tests.support.records import issue_key
from tests.support.services import fresh_postgres_database


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


@pytest.fixture
def visitor(people_server) -> BaseUrlSession:
    """An anonymous session on `people_server`."""
    return BaseUrlSession(people_server.url)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path):
    """A database with no schema yet, on each backend, for the migration tests."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'fresh.db'}", pool_size=1)
        yield database
        database.dispose()
        return
    with fresh_postgres_database() as url:
        database = Database(url, pool_size=1)
        yield database
        database.dispose()
