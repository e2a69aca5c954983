"""Stock per SKU. Every quantity change is one conditional UPDATE, so concurrent
requests in any number of processes can never take `available` below zero: the
database applies them one at a time and the WHERE clause refuses what does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.errors import DuplicateError
from storage.models import InventoryItem
from storage.paging import Page, Slice, paginate, slice_after
from storage.partition import Partition

AVAILABLE = InventoryItem.on_hand - InventoryItem.reserved
# Low on stock: at or below a threshold the item has (as _mark_low judges it).
LOW = InventoryItem.low_stock_threshold.is_not(None) & (
    InventoryItem.low_stock_threshold >= AVAILABLE
)

SORTABLE = {
    "sku": InventoryItem.sku,
    "onHand": InventoryItem.on_hand,
    "reserved": InventoryItem.reserved,
    "available": AVAILABLE,
    "createdAt": InventoryItem.created_at,
    "updatedAt": InventoryItem.updated_at,
}


@dataclass(frozen=True)
class InventorySearch:
    """What a list request asks for; every filter is optional."""

    text: str | None = None
    low_stock: bool | None = None
    product_id: str | None = None
    sort: tuple[tuple[str, str], ...] = (("createdAt", "desc"),)
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class StockChange:
    """An item after a change; `fell_low` when this change took `available` to or
    below the item's threshold from above it (inventory.low is due, once)."""

    item: InventoryItem
    fell_low: bool


class InventoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, partition: Partition, sku: str) -> InventoryItem | None:
        return self.session.scalar(self._of(partition, sku))

    def add(self, partition: Partition, item: InventoryItem) -> StockChange:
        """Insert a new item (`reserved` 0). One created at or below its threshold
        starts low: the change says so, and later changes do not announce it again."""
        partition.stamp(item)
        item.reserved = 0
        low = item.low_stock_threshold is not None and item.low_stock_threshold >= item.on_hand
        item.low_since = item.created_at if low else None
        self.session.add(item)
        sku = item.sku  # a failed flush expires the object: read it first
        try:
            self.session.flush()
        except IntegrityError as error:
            if "uq_inventory_org_mode_sku" in str(error.orig) or "inventory_items.sku" in str(
                error.orig
            ):
                raise DuplicateError("sku", sku) from error
            raise
        return StockChange(item=item, fell_low=low)

    def scroll(self, partition: Partition, query, *, after: str | None, limit: int) -> Slice:
        """The same filters as `search`, as a keyset slice (v2), newest first."""
        statement = _filtered(select(InventoryItem).where(*partition.where(InventoryItem)), query)
        return slice_after(self.session, statement, InventoryItem.id, after=after, limit=limit)

    def search(self, partition: Partition, query: InventorySearch) -> Page[InventoryItem]:
        statement = _filtered(select(InventoryItem).where(*partition.where(InventoryItem)), query)
        order = [
            SORTABLE[name].desc() if direction == "desc" else SORTABLE[name].asc()
            for name, direction in query.sort
        ]
        # The id (a ULID) breaks ties, so pages never overlap or skip rows.
        statement = statement.order_by(*order, InventoryItem.id.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)

    def describe(
        self,
        partition: Partition,
        sku: str,
        *,
        product_id: str | None,
        low_stock_threshold: int | None,
        location: str | None,
    ) -> bool:
        """Replace what is said about the stock (not its quantities); False when the
        SKU is unknown. Follow with set_on_hand or settle_low_stock, which judge the
        low-stock mark against the new threshold in the same transaction."""
        changed = self.session.execute(
            update(InventoryItem)
            .where(*partition.where(InventoryItem), InventoryItem.sku == sku)
            .values(
                product_id=product_id,
                low_stock_threshold=low_stock_threshold,
                location=location,
                updated_at=utcnow(),
            )
            .returning(InventoryItem.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        return changed is not None

    def remove(self, partition: Partition, sku: str) -> bool:
        """Delete an item with nothing reserved, in one conditional DELETE (a
        concurrent reservation either lands first and blocks it, or finds no row);
        False when the SKU is unknown or units are reserved."""
        removed = self.session.execute(
            delete(InventoryItem)
            .where(*partition.where(InventoryItem), InventoryItem.sku == sku)
            .where(InventoryItem.reserved == 0)
            .returning(InventoryItem.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        return removed is not None

    def reserve(self, partition: Partition, sku: str, quantity: int) -> StockChange | None:
        """Hold `quantity` for an order; None when the SKU is unknown or too few are available."""
        return self._change(
            partition, sku, quantity <= AVAILABLE, reserved=InventoryItem.reserved + quantity
        )

    def release(self, partition: Partition, sku: str, quantity: int) -> StockChange | None:
        """Give back a reservation (an order cancelled); None when not that many are reserved."""
        return self._change(
            partition,
            sku,
            InventoryItem.reserved >= quantity,
            reserved=InventoryItem.reserved - quantity,
        )

    def consume(self, partition: Partition, sku: str, quantity: int) -> StockChange | None:
        """Ship a reservation: it leaves the shelf, so on hand and reserved both drop."""
        return self._change(
            partition,
            sku,
            InventoryItem.reserved >= quantity,
            reserved=InventoryItem.reserved - quantity,
            on_hand=InventoryItem.on_hand - quantity,
        )

    def restock(self, partition: Partition, sku: str, quantity: int) -> StockChange | None:
        """Put `quantity` back on the shelf (a return); None when the SKU is unknown."""
        return self._change(partition, sku, True, on_hand=InventoryItem.on_hand + quantity)

    def set_on_hand(self, partition: Partition, sku: str, on_hand: int) -> StockChange | None:
        """A stock count; None when it would leave fewer on hand than are reserved."""
        return self._change(partition, sku, InventoryItem.reserved <= on_hand, on_hand=on_hand)

    def settle_low_stock(self, partition: Partition, sku: str) -> StockChange | None:
        """Re-evaluate the low-stock mark after the threshold itself changed."""
        return self._change(partition, sku, True)

    def _change(self, partition: Partition, sku: str, condition, **values) -> StockChange | None:
        changed = self.session.execute(
            update(InventoryItem)
            .where(*partition.where(InventoryItem), InventoryItem.sku == sku, condition)
            .values(updated_at=utcnow(), **values)
            .returning(InventoryItem.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if changed is None:
            return None
        return StockChange(item=self._reload(partition, sku), fell_low=self._mark_low(changed))

    def _mark_low(self, item_id: str) -> bool:
        """Set or clear `low_since` in one conditional UPDATE each, so that of two
        concurrent changes crossing the threshold only one sees the crossing."""
        low = InventoryItem.low_stock_threshold.is_not(None) & (
            InventoryItem.low_stock_threshold >= AVAILABLE
        )
        fell = self.session.execute(
            update(InventoryItem)
            .where(InventoryItem.id == item_id, InventoryItem.low_since.is_(None), low)
            .values(low_since=utcnow())
            .returning(InventoryItem.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if fell is None:
            self.session.execute(
                update(InventoryItem)
                .where(InventoryItem.id == item_id, InventoryItem.low_since.is_not(None), ~low)
                .values(low_since=None)
                .execution_options(synchronize_session=False)
            )
        return fell is not None

    def _reload(self, partition: Partition, sku: str) -> InventoryItem:
        return self.session.scalars(
            self._of(partition, sku).execution_options(populate_existing=True)
        ).one()

    @staticmethod
    def _of(partition: Partition, sku: str):
        return select(InventoryItem).where(
            *partition.where(InventoryItem), InventoryItem.sku == sku
        )


def _filtered(statement: Select, query: InventorySearch) -> Select:
    if query.text:
        statement = statement.where(InventoryItem.sku.icontains(query.text, autoescape=True))
    if query.low_stock is True:
        statement = statement.where(LOW)
    elif query.low_stock is False:
        statement = statement.where(
            or_(
                InventoryItem.low_stock_threshold.is_(None),
                InventoryItem.low_stock_threshold < AVAILABLE,
            )
        )
    if query.product_id is not None:
        statement = statement.where(InventoryItem.product_id == query.product_id)
    return statement
