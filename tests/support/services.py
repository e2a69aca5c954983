"""The real services the suite runs against, and the rule for when they are missing.

A test that needs PostgreSQL or Redis skips when the service is absent, saying
why, unless CI=true: there a missing service fails the run.
"""

from __future__ import annotations

import os
import secrets
import socket
from contextlib import contextmanager

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
ADMIN_URL = os.environ.get(
    "GATEHOUSE_TEST_PG_ADMIN_URL", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
)


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(service: str, host: str, port: int) -> None:
    if reachable(host, port):
        return
    reason = f"{service} is not reachable at {host}:{port}"
    if on_ci():
        pytest.fail(f"{reason}, and CI=true requires it", pytrace=False)
    pytest.skip(f"{reason} (start it, or run under CI=true to make this a failure)")


@contextmanager
def fresh_postgres_database():
    """A new, empty PostgreSQL database for one test session, dropped afterwards."""
    import psycopg

    require("PostgreSQL", PG_HOST, PG_PORT)
    name = f"gatehouse_test_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_database(backend: str, tmp_path, pool_size: int):
    """A storage.Database at the newest schema: a throwaway SQLite file or PostgreSQL database."""
    from storage import Database
    from storage.migrate import upgrade

    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'gatehouse.db'}", pool_size=1)
        upgrade(database)
        yield database
        database.dispose()
        return
    with fresh_postgres_database() as url:
        database = Database(url, pool_size=pool_size)
        upgrade(database)
        yield database
        database.dispose()
