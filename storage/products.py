"""The catalogue: products of one organization and mode at a time (a Partition)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import DuplicateError
from storage.models import Product
from storage.paging import Page, Slice, paginate, slice_after
from storage.partition import Partition

SORTABLE = {
    "name": Product.name,
    "sku": Product.sku,
    "price": Product.price_minor,
    "status": Product.status,
    "createdAt": Product.created_at,
    "updatedAt": Product.updated_at,
}


@dataclass(frozen=True)
class ProductSearch:
    """What a list request asks for; every filter is optional."""

    text: str | None = None
    statuses: tuple[str, ...] = ()
    price_min_minor: int | None = None
    price_max_minor: int | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: tuple[tuple[str, str], ...] = (("createdAt", "desc"),)
    page: int = 1
    per_page: int = 20


class ProductRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, product: Product) -> None:
        self.session.add(product)
        self.save(product)

    def save(self, product: Product) -> None:
        """Flush now, so a duplicate SKU surfaces here as a DuplicateError."""
        sku = product.sku  # a failed flush expires the object: read it first
        try:
            self.session.flush()
        except IntegrityError as error:
            if "uq_products_org_mode_sku" in str(error.orig) or "products.sku" in str(error.orig):
                raise DuplicateError("sku", sku) from error
            raise

    def get(self, partition: Partition, product_id: str) -> Product | None:
        return self.session.scalar(self._undeleted(partition).where(Product.id == product_id))

    def scroll(self, partition: Partition, query, *, after: str | None, limit: int) -> Slice:
        """The same filters as `search`, as a keyset slice (v2), newest first."""
        statement = _filtered(self._undeleted(partition), query)
        return slice_after(self.session, statement, Product.id, after=after, limit=limit)

    def search(self, partition: Partition, query: ProductSearch) -> Page[Product]:
        statement = _filtered(self._undeleted(partition), query)
        order = [
            SORTABLE[name].desc() if direction == "desc" else SORTABLE[name].asc()
            for name, direction in query.sort
        ]
        # The id (a ULID) breaks ties, so pages never overlap or skip rows.
        statement = statement.order_by(*order, Product.id.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)

    @staticmethod
    def _undeleted(partition: Partition) -> Select:
        return select(Product).where(*partition.where(Product), Product.deleted_at.is_(None))


def _filtered(statement: Select, query: ProductSearch) -> Select:
    if query.text:
        statement = statement.where(
            Product.name.icontains(query.text, autoescape=True)
            | Product.sku.icontains(query.text, autoescape=True)
        )
    if query.statuses:
        statement = statement.where(Product.status.in_(query.statuses))
    if query.price_min_minor is not None:
        statement = statement.where(Product.price_minor >= query.price_min_minor)
    if query.price_max_minor is not None:
        statement = statement.where(Product.price_minor <= query.price_max_minor)
    if query.created_after is not None:
        statement = statement.where(Product.created_at >= query.created_after)
    if query.created_before is not None:
        statement = statement.where(Product.created_at < query.created_before)
    return statement
