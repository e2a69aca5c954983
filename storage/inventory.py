"""Stock per SKU. Every quantity change is one conditional UPDATE, so concurrent
requests in any number of processes can never take `available` below zero: the
database applies them one at a time and the WHERE clause refuses what does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.models import InventoryItem
from storage.partition import Partition

AVAILABLE = InventoryItem.on_hand - InventoryItem.reserved


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
