"""Requested items become priced lines (from the catalogue), and lines move stock.

Stock is changed SKU by SKU in sorted order: two orders touching the same SKUs
lock their inventory rows in the same order, so they wait for each other instead
of deadlocking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from handlers import stock
from handlers.errors import Conflict, Unprocessable
from handlers.money import from_minor, to_minor
from handlers.pricing import Line
from storage.models import OrderItem
from storage.partition import Partition

NOT_OURS = "is not a product of this organization and mode"


def priced_lines(uow, partition: Partition, items: list[dict], currency: str | None):
    """The catalogue's lines for `items` and their one currency (`currency` when the
    order already has one); 422 naming every item at fault otherwise."""
    products = uow.orders.products(partition, [item["productId"] for item in items])
    details: dict[str, str] = {}
    lines: list[Line] = []
    for index, item in enumerate(items):
        product = products.get(item["productId"])
        where = f"items[{index}]"
        if product is None:
            details[f"{where}.productId"] = NOT_OURS
            continue
        if product.status != "active":
            details[f"{where}.productId"] = f"is {product.status}, not active"
            continue
        currency = currency or product.currency
        if product.currency != currency:
            details[f"{where}.productId"] = f"is priced in {product.currency}, not {currency}"
            continue
        sent = item.get("unitPrice")
        if sent is not None and to_minor(sent) != product.price_minor:
            details[f"{where}.unitPrice"] = (
                f"is {sent}, but the catalogue price is {from_minor(product.price_minor)}"
            )
            continue
        lines.append(
            Line(product.id, product.sku, product.name, item["quantity"], product.price_minor)
        )
    if details:
        first = next(iter(details))
        raise Unprocessable(
            first, f"{len(details)} item(s) cannot be ordered.", details[first], details
        )
    return lines, currency


def order_items(order_id: str, lines: list[Line]) -> list[OrderItem]:
    return [
        OrderItem(
            order_id=order_id,
            position=position,
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            line_total_minor=line.total_minor,
        )
        for position, line in enumerate(lines)
    ]


def reserve_difference(uow, partition: Partition, held: Iterable, wanted: list[Line]) -> None:
    """Reserve what `wanted` needs beyond what the order `held`, release the rest.

    Every SKU is tried, so the answer names every one that failed: 422 when a
    product is not stocked at all, else 409 when there is too little. The caller
    then leaves its unit of work uncommitted, so nothing stays reserved.
    """
    old, new = _quantities(held), _quantities(wanted)
    position = {}
    for index, line in enumerate(wanted):
        position.setdefault(line.sku, index)
    unstocked: dict[str, str] = {}
    short: dict[str, str] = {}
    for sku in sorted(old.keys() | new.keys()):
        delta = new[sku] - old[sku]
        if delta == 0:
            continue
        if delta < 0:
            _announce(uow, partition, uow.inventory.release(partition, sku, -delta))
            continue
        change = uow.inventory.reserve(partition, sku, delta)
        if change is not None:
            _announce(uow, partition, change)
            continue
        item = uow.inventory.get(partition, sku)
        where = f"items[{position[sku]}]"
        if item is None:
            unstocked[f"{where}.productId"] = f"{sku} is not stocked"
        else:
            available = item.on_hand - item.reserved + old[sku]
            short[f"{where}.quantity"] = f"{sku}: {new[sku]} requested, {available} available"
    if unstocked:
        first = next(iter(unstocked))
        raise Unprocessable(
            first, "Some items are not stocked.", unstocked[first], {**unstocked, **short}
        )
    if short:
        skus = ", ".join(message.split(":", 1)[0] for message in short.values())
        raise Conflict(f"Not enough stock for {skus}; nothing was reserved.", short)


def move_stock(uow, partition: Partition, effect: str, items: list[OrderItem]) -> None:
    """Apply a lifecycle move's stock effect (release, consume or restock) to every line.

    A refused change (None) means the SKU's row was removed or counted below this
    order's hold in the meantime: there is nothing left to give back or take, and
    the order's move stands.
    """
    change_of = getattr(uow.inventory, effect)
    for sku, quantity in sorted(_quantities(items).items()):
        _announce(uow, partition, change_of(partition, sku, quantity))


def _quantities(lines: Iterable) -> Counter:
    counts: Counter = Counter()
    for line in lines:
        counts[line.sku] += line.quantity
    return counts


def _announce(uow, partition: Partition, change) -> None:
    if change is not None:
        stock.announce(uow, partition, change)
