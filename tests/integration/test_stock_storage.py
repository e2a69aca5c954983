"""storage.inventory and storage.events on real databases: the rules orders rely on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.migrate import upgrade
from storage.models import Event, InventoryItem, Organization
from storage.partition import Partition
from tests.support.services import fresh_postgres_database, migrated_database


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    with migrated_database(request.param, tmp_path, pool_size=25) as database:
        yield database


@pytest.fixture
def partition(database) -> Partition:
    with UnitOfWork(database.session_factory) as uow:
        organization = Organization(id=new_id("org"), name="Stock", created_at=utcnow())
        uow.session.add(organization)
        uow.commit()
    return Partition(organization.id, "test")


def stock(database, partition, sku="SKU-1", on_hand=10, threshold=None) -> None:
    with UnitOfWork(database.session_factory) as uow:
        now = utcnow()
        item = InventoryItem(
            id=new_id("inv"),
            sku=sku,
            on_hand=on_hand,
            reserved=0,
            low_stock_threshold=threshold,
            created_at=now,
            updated_at=now,
        )
        partition.stamp(item)
        uow.session.add(item)
        uow.commit()


def reserve(database, partition, quantity, sku="SKU-1"):
    with UnitOfWork(database.session_factory) as uow:
        change = uow.inventory.reserve(partition, sku, quantity)
        uow.commit()
        return change


def test_a_reservation_never_takes_available_below_zero(database, partition):
    stock(database, partition, on_hand=3)
    assert reserve(database, partition, 2).item.reserved == 2
    assert reserve(database, partition, 2) is None
    assert reserve(database, partition, 1).item.reserved == 3
    assert reserve(database, partition, 1, sku="UNKNOWN") is None


def test_release_consume_and_counts_keep_the_rules(database, partition):
    stock(database, partition, on_hand=5)
    reserve(database, partition, 4)
    with UnitOfWork(database.session_factory) as uow:
        assert uow.inventory.set_on_hand(partition, "SKU-1", 3) is None  # fewer than reserved
        assert uow.inventory.release(partition, "SKU-1", 5) is None  # more than reserved
        shipped = uow.inventory.consume(partition, "SKU-1", 3)
        assert (shipped.item.on_hand, shipped.item.reserved) == (2, 1)
        released = uow.inventory.release(partition, "SKU-1", 1)
        assert (released.item.on_hand, released.item.reserved) == (2, 0)
        uow.commit()


def test_low_stock_is_due_once_per_downward_crossing(database, partition):
    stock(database, partition, on_hand=10, threshold=5)
    crossings = [reserve(database, partition, quantity).fell_low for quantity in (4, 1, 1)]
    assert crossings == [False, True, False]  # 6 left, then 5 (at the threshold), then 4
    with UnitOfWork(database.session_factory) as uow:
        assert uow.inventory.release(partition, "SKU-1", 6).fell_low is False  # back to 10
        uow.commit()
    assert reserve(database, partition, 5).fell_low is True  # a second crossing


def test_the_other_mode_and_organization_see_no_stock(database, partition):
    stock(database, partition, on_hand=3)
    live = Partition(partition.organization_id, "live")
    assert reserve(database, live, 1) is None


def test_an_event_commits_with_its_change_or_not_at_all(database, partition):
    with UnitOfWork(database.session_factory) as uow:
        uow.events.record(partition, "customer.created", {"id": "cust_1"})
        # no commit: the change and its event roll back together
    with UnitOfWork(database.session_factory) as uow:
        event = uow.events.record(partition, "customer.created", {"id": "cust_2"})
        uow.commit()
    with UnitOfWork(database.session_factory) as uow:
        rows = uow.session.scalars(select(Event)).all()
        assert [row.resource_id for row in rows] == ["cust_2"]
        assert rows[0].id == event.id and rows[0].resource_type == "customer"
        assert rows[0].published_at is None and rows[0].sequence >= 1
    with pytest.raises(ValueError), UnitOfWork(database.session_factory) as uow:
        uow.events.record(partition, "customer.renamed", {"id": "cust_3"})


def test_concurrent_reservations_on_postgres_take_exactly_the_stock():
    # SQLite has one writer at a time; the race that matters is PostgreSQL's.
    with fresh_postgres_database() as url:
        database = Database(url, pool_size=25)
        upgrade(database)
        with UnitOfWork(database.session_factory) as uow:
            uow.session.add(Organization(id="org_race", name="Race", created_at=utcnow()))
            uow.commit()
        partition = Partition("org_race", "test")
        stock(database, partition, on_hand=10, threshold=2)
        with ThreadPoolExecutor(max_workers=20) as pool:
            changes = list(pool.map(lambda _: reserve(database, partition, 1), range(50)))
        assert sum(change is not None for change in changes) == 10
        assert sum(change is not None and change.fell_low for change in changes) == 1
        with UnitOfWork(database.session_factory) as uow:
            assert uow.session.scalar(select(func.sum(InventoryItem.reserved))) == 10
        database.dispose()
