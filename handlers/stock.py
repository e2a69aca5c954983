"""Stock as the API shows it, and the inventory.low event, shared by the
inventory and order handlers (both change stock)."""

from __future__ import annotations

from storage.clock import rfc3339
from storage.inventory import StockChange
from storage.models import InventoryItem
from storage.partition import Partition


def view(item: InventoryItem) -> dict:
    return {
        "id": item.id,
        "sku": item.sku,
        "productId": item.product_id,
        "onHand": item.on_hand,
        "reserved": item.reserved,
        "available": item.on_hand - item.reserved,
        "lowStockThreshold": item.low_stock_threshold,
        "location": item.location,
        "createdAt": rfc3339(item.created_at),
        "updatedAt": rfc3339(item.updated_at),
    }


def announce(uow, partition: Partition, change: StockChange) -> None:
    """Record inventory.low when this change crossed the item's threshold downward."""
    if change.fell_low:
        uow.events.record(partition, "inventory.low", view(change.item))
