"""Migration 0005: existing products get a mode; SKUs become unique per mode."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import Database
from storage.migrate import upgrade
from tests.support.services import fresh_postgres_database

CREATED = "2024-01-01T00:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request, tmp_path):
    """A database at revision 0004, before modes existed."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'old.db'}", pool_size=1)
        upgrade(database, "0004")
        yield database
        database.dispose()
        return
    with fresh_postgres_database() as url:
        database = Database(url, pool_size=1)
        upgrade(database, "0004")
        yield database
        database.dispose()


def add_org(connection, org_id: str, *key_modes: str) -> None:
    connection.execute(
        text("INSERT INTO organizations (id, name, created_at) VALUES (:id, 'Old', :at)"),
        {"id": org_id, "at": CREATED},
    )
    for n, mode in enumerate(key_modes):
        connection.execute(
            text(
                "INSERT INTO api_keys (id, organization_id, name, prefix, key_hash,"
                " secret_ciphertext, mode, tier, status, created_at, scopes)"
                " VALUES (:id, :org, 'Old key', 'ak_x', :hash, 'c', :mode, 'free', 'active',"
                " :at, '[]')"
            ),
            {
                "id": f"key_{org_id}_{n}",
                "org": org_id,
                "hash": f"{org_id}{n}",
                "mode": mode,
                "at": CREATED,
            },
        )


BEFORE_MODES = text(
    "INSERT INTO products (id, organization_id, sku, name, price_minor, currency, status,"
    " metadata, created_at, updated_at)"
    " VALUES (:id, :org, :sku, 'P', 100, 'EUR', 'active', '{}', :at, :at)"
)
WITH_MODE = text(
    "INSERT INTO products (id, organization_id, sku, name, price_minor, currency, status,"
    " metadata, created_at, updated_at, mode)"
    " VALUES (:id, :org, :sku, 'P', 100, 'EUR', 'active', '{}', :at, :at, :mode)"
)


def add_product(connection, product_id: str, org_id: str, sku: str, mode: str | None = None):
    values = {"id": product_id, "org": org_id, "sku": sku, "at": CREATED, "mode": mode}
    connection.execute(WITH_MODE if mode else BEFORE_MODES, values)


def modes(database) -> dict[str, str]:
    with database.engine.connect() as connection:
        return dict(connection.execute(text("SELECT id, mode FROM products")).all())


def test_backfill_follows_the_keys_the_organization_could_have_used(old_database):
    with old_database.engine.begin() as connection:
        add_org(connection, "org_dev", "test")
        add_org(connection, "org_prod", "test", "live")
        add_org(connection, "org_keyless")
        add_product(connection, "prod_dev", "org_dev", "SKU-1")
        add_product(connection, "prod_prod", "org_prod", "SKU-1")
        add_product(connection, "prod_keyless", "org_keyless", "SKU-1")

    upgrade(old_database)

    assert modes(old_database) == {
        "prod_dev": "test",  # only test keys ever existed: test data
        "prod_prod": "live",  # production keeps seeing its catalogue
        "prod_keyless": "test",
    }


def test_a_sku_is_unique_per_organization_and_mode(old_database):
    upgrade(old_database)
    with old_database.engine.begin() as connection:
        add_org(connection, "org_1", "live")
        add_product(connection, "prod_live", "org_1", "SKU-1", mode="live")
        add_product(connection, "prod_test", "org_1", "SKU-1", mode="test")
    with pytest.raises(IntegrityError), old_database.engine.begin() as connection:
        add_product(connection, "prod_again", "org_1", "SKU-1", mode="test")
    assert modes(old_database) == {"prod_live": "live", "prod_test": "test"}
