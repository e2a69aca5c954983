"""Fixtures of the integration tests, on top of the live servers of tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.support.api import BaseUrlSession, unique_prefix
from tests.support.records import issue_key


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
