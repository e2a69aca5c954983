"""Customers and stock arranged straight through storage, and a look at what is stored.

The customers and inventory APIs are not part of the orders work, so tests seed
their rows here (as those APIs would store them) and read orders' side effects
(reservations, events) at rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.models import Customer, Event, InventoryItem, Order, Product
from storage.partition import Partition


@dataclass(frozen=True)
class Seen:
    """An event as stored."""

    type: str
    resource_id: str
    data: dict
    changes: dict


@dataclass
class Store:
    """One database, seen as one tenant's partition (test mode unless told)."""

    database: Database
    partition: Partition

    @classmethod
    def open(cls, database_url: str, organization_id: str, mode: str = "test") -> Store:
        return cls(Database(database_url, pool_size=2), Partition(organization_id, mode))

    def close(self) -> None:
        self.database.dispose()

    def in_mode(self, mode: str) -> Store:
        return Store(self.database, Partition(self.partition.organization_id, mode))

    def customer(self, *, status: str = "active", erased: bool = False) -> str:
        now = utcnow()
        customer = Customer(
            id=new_id("cust"),
            email=None if erased else f"{new_id('cust').lower()}@example.com",
            first_name=None if erased else "Ada",
            last_name=None if erased else "Lovelace",
            phone=None,
            addresses=[],
            metadata_={},
            status=status,
            created_at=now,
            updated_at=now,
            deleted_at=now if erased else None,
        )
        customer.email_canonical = customer.email
        self._add(customer)
        return customer.id

    def product(self, sku: str, price_minor: int = 1000, currency: str = "EUR") -> str:
        """A catalogue row as the products API stores it (for callers without a key)."""
        now = utcnow()
        product = Product(
            id=new_id("prod"),
            sku=sku,
            name=f"Product {sku}",
            description=None,
            price_minor=price_minor,
            currency=currency,
            status="active",
            metadata_={},
            created_at=now,
            updated_at=now,
            deleted_at=None,
        )
        self._add(product)
        return product.id

    def stock(self, sku: str, on_hand: int, threshold: int | None = None) -> str:
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
        self._add(item)
        return item.id

    def erase_customer(self, customer_id: str) -> None:
        """What a GDPR erasure leaves: the customer blanked, its orders anonymous."""
        with self._uow() as uow:
            uow.session.execute(
                update(Customer)
                .where(Customer.id == customer_id)
                .values(deleted_at=utcnow(), email=None, email_canonical=None)
            )
            uow.session.execute(
                update(Order).where(Order.customer_id == customer_id).values(customer_id=None)
            )
            uow.commit()

    def levels(self, sku: str) -> tuple[int, int]:
        """(on hand, reserved) of a SKU."""
        with self._uow() as uow:
            item = uow.inventory.get(self.partition, sku)
            return item.on_hand, item.reserved

    def events(self, resource_id: str | None = None, event_type: str | None = None) -> list[Seen]:
        with self._uow() as uow:
            statement = select(Event).where(*self.partition.where(Event))
            if resource_id:
                statement = statement.where(Event.resource_id == resource_id)
            if event_type:
                statement = statement.where(Event.type == event_type)
            rows = uow.session.scalars(statement.order_by(Event.sequence))
            return [Seen(e.type, e.resource_id, e.data, e.changes) for e in rows]

    def event_count(self) -> int:
        with self._uow() as uow:
            return uow.session.scalar(select(func.count()).select_from(Event))

    def order_count(self) -> int:
        with self._uow() as uow:
            return uow.session.scalar(
                select(func.count()).select_from(Order).where(*self.partition.where(Order))
            )

    def _add(self, row) -> None:
        self.partition.stamp(row)
        with self._uow() as uow:
            uow.session.add(row)
            uow.commit()

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.database.session_factory)


@pytest.fixture(name="store", scope="session")
def store_fixture(database_url, tenant):
    """The tenant's test-mode partition of the server's database (import this by name)."""
    store = Store.open(database_url, tenant.organization_id)
    yield store
    store.close()
