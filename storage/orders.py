"""Orders and their lines, one organization and mode at a time (a Partition)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.models import Customer, Order, OrderItem, Product
from storage.paging import Page, Slice, paginate, slice_after
from storage.partition import Partition

SORTABLE = {
    "createdAt": Order.created_at,
    "updatedAt": Order.updated_at,
    "total": Order.total_minor,
    "status": Order.status,
}


@dataclass(frozen=True)
class OrderSearch:
    """What a list request asks for; every filter is optional."""

    statuses: tuple[str, ...] = ()
    customer_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    total_min_minor: int | None = None
    total_max_minor: int | None = None
    sort: tuple[tuple[str, str], ...] = (("createdAt", "desc"),)
    page: int = 1
    per_page: int = 20


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, order: Order, items: list[OrderItem]) -> None:
        self.session.add(order)
        self.session.add_all(items)
        self.session.flush()

    def get(self, partition: Partition, order_id: str, *, for_update: bool = False) -> Order | None:
        """One order; `for_update` locks its row (PostgreSQL) so that changes to one
        order are applied one at a time, each seeing the one before."""
        statement = select(Order).where(*partition.where(Order), Order.id == order_id)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(statement)

    def items_of(self, order_ids: Iterable[str]) -> dict[str, list[OrderItem]]:
        """The lines of each order, in position order (one query for a whole page)."""
        lines: dict[str, list[OrderItem]] = defaultdict(list)
        ids = list(order_ids)
        if ids:
            statement = (
                select(OrderItem)
                .where(OrderItem.order_id.in_(ids))
                .order_by(OrderItem.order_id, OrderItem.position)
            )
            for item in self.session.scalars(statement):
                lines[item.order_id].append(item)
        return lines

    def replace_items(self, old: list[OrderItem], new: list[OrderItem]) -> None:
        # Deleted through the ORM and flushed first: the new lines reuse the old
        # primary keys (order id, position).
        for item in old:
            self.session.delete(item)
        self.session.flush()
        self.session.add_all(new)
        self.session.flush()

    def products(self, partition: Partition, product_ids: Iterable[str]) -> dict[str, Product]:
        """The undeleted products of the partition among `product_ids`, by id."""
        ids = set(product_ids)
        if not ids:
            return {}
        statement = select(Product).where(
            *partition.where(Product), Product.id.in_(ids), Product.deleted_at.is_(None)
        )
        return {product.id: product for product in self.session.scalars(statement)}

    def customer(self, partition: Partition, customer_id: str) -> Customer | None:
        """A customer of the partition that has not been erased."""
        return self.session.scalar(
            select(Customer).where(
                *partition.where(Customer),
                Customer.id == customer_id,
                Customer.deleted_at.is_(None),
            )
        )

    def of_customer(self, partition: Partition, customer_id: str) -> list[Order]:
        """Every order placed for a customer, oldest first, cancelled ones included."""
        return list(
            self.session.scalars(
                select(Order)
                .where(*partition.where(Order), Order.customer_id == customer_id)
                .order_by(Order.created_at, Order.id)
            )
        )

    def scroll(self, partition: Partition, query, *, after: str | None, limit: int) -> Slice:
        """The same filters as `search`, as a keyset slice (v2), newest first."""
        statement = _filtered(select(Order).where(*partition.where(Order)), query)
        return slice_after(self.session, statement, Order.id, after=after, limit=limit)

    def search(self, partition: Partition, query: OrderSearch) -> Page[Order]:
        statement = _filtered(select(Order).where(*partition.where(Order)), query)
        order = [
            SORTABLE[name].desc() if direction == "desc" else SORTABLE[name].asc()
            for name, direction in query.sort
        ]
        # The id (a ULID) breaks ties, so pages never overlap or skip rows.
        statement = statement.order_by(*order, Order.id.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)


def _filtered(statement: Select, query: OrderSearch) -> Select:
    if query.statuses:
        statement = statement.where(Order.status.in_(query.statuses))
    if query.customer_id is not None:
        statement = statement.where(Order.customer_id == query.customer_id)
    if query.created_after is not None:
        statement = statement.where(Order.created_at >= query.created_after)
    if query.created_before is not None:
        statement = statement.where(Order.created_at < query.created_before)
    if query.total_min_minor is not None:
        statement = statement.where(Order.total_minor >= query.total_min_minor)
    if query.total_max_minor is not None:
        statement = statement.where(Order.total_minor <= query.total_max_minor)
    return statement
