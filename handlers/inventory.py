"""Inventory (FR-008): stock per SKU in the caller's organization and mode.

Quantities change only through storage.inventory's conditional UPDATEs, so a
reservation that does not fit is refused by the database itself, however many
requests race in however many processes. Each change and its inventory.low
event (stock.announce) commit together or not at all.
"""

from __future__ import annotations

from generated.models import InventoryItemInput, InventoryItemUpdate, StockQuantity
from handlers import cursors, envelope, stock
from handlers.errors import Conflict, NotFound, Unprocessable
from storage import unit_of_work
from storage.clock import utcnow
from storage.ids import new_id
from storage.inventory import InventorySearch
from storage.models import InventoryItem
from storage.partition import Partition

DEFAULT_SORT = (("createdAt", "desc"),)


def list_inventory(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    q: str | None = None,
    low_stock: bool | None = None,
    product_id: str | None = None,
    sort: list[str] | None = None,
    order: list[str] | None = None,
    fields: list[str] | None = None,
) -> dict:
    search = InventorySearch(
        text=q,
        low_stock=low_stock,
        product_id=product_id,
        sort=_sort_order(sort, order),
        page=page,
        per_page=per_page,
    )
    with unit_of_work() as uow:
        result = uow.inventory.search(Partition.of(token_info), search)
        return envelope.page([_shown(item, fields) for item in result.items], result)


def list_inventory_by_cursor(
    token_info: dict,
    limit: int = 20,
    cursor: str | None = None,
    q: str | None = None,
    low_stock: bool | None = None,
    product_id: str | None = None,
    fields: list[str] | None = None,
) -> dict:
    """v2: newest first, one slice after the cursor."""
    search = InventorySearch(text=q, low_stock=low_stock, product_id=product_id)
    after = cursors.position(cursor, "inv")
    with unit_of_work() as uow:
        result = uow.inventory.scroll(Partition.of(token_info), search, after=after, limit=limit)
        return envelope.slice_of([_shown(item, fields) for item in result.items], result)


def get_inventory_item(token_info: dict, sku: str, fields: list[str] | None = None) -> dict:
    with unit_of_work() as uow:
        return envelope.one(_shown(_existing(uow, Partition.of(token_info), sku), fields))


def create_inventory_item(token_info: dict, body: dict) -> tuple[dict, int]:
    wanted = InventoryItemInput.model_validate(body)
    partition = Partition.of(token_info)
    now = utcnow()
    item = InventoryItem(
        id=new_id("inv"),
        sku=wanted.sku,
        product_id=wanted.product_id,
        on_hand=wanted.on_hand,
        low_stock_threshold=wanted.low_stock_threshold,
        location=wanted.location,
        created_at=now,
        updated_at=now,
    )
    with unit_of_work() as uow:
        _check_product(uow, partition, wanted.product_id)
        change = uow.inventory.add(partition, item)
        stock.announce(uow, partition, change)
        uow.commit()
        return envelope.one(stock.view(change.item)), 201


def update_inventory_item(token_info: dict, sku: str, body: dict) -> dict:
    wanted = InventoryItemUpdate.model_validate(body)
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        _existing(uow, partition, sku)
        _check_product(uow, partition, wanted.product_id)
        described = uow.inventory.describe(
            partition,
            sku,
            product_id=wanted.product_id,
            low_stock_threshold=wanted.low_stock_threshold,
            location=wanted.location,
        )
        if not described:  # deleted since it was read
            raise NotFound("inventory item", sku)
        # Last, so the low-stock mark is judged once, with the new threshold.
        change = uow.inventory.set_on_hand(partition, sku, wanted.on_hand)
        if change is None:
            reserved = _existing(uow, partition, sku).reserved
            raise Conflict(
                f"{_units(reserved)} of {sku} {_is(reserved)} reserved; onHand cannot be less.",
                {"onHand": "is below the units reserved", "reserved": str(reserved)},
            )
        stock.announce(uow, partition, change)
        uow.commit()
        return envelope.one(stock.view(change.item))


def delete_inventory_item(token_info: dict, sku: str) -> tuple[None, int]:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        if not uow.inventory.remove(partition, sku):
            reserved = _existing(uow, partition, sku).reserved
            raise Conflict(
                f"{_units(reserved)} of {sku} {_is(reserved)} reserved; "
                "release them before deleting the item.",
                {"reserved": str(reserved)},
            )
        uow.commit()
    return None, 204


def reserve_stock(token_info: dict, sku: str, body: dict) -> dict:
    quantity = StockQuantity.model_validate(body).quantity
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        change = uow.inventory.reserve(partition, sku, quantity)
        if change is None:
            item = _existing(uow, partition, sku)
            available = item.on_hand - item.reserved
            raise Conflict(
                f"Only {_units(available)} of {sku} {_is(available)} available; "
                f"{quantity} {'was' if quantity == 1 else 'were'} requested.",
                {
                    "quantity": "exceeds the units available",
                    "available": str(available),
                    "requested": str(quantity),
                },
            )
        stock.announce(uow, partition, change)
        uow.commit()
        return envelope.one(stock.view(change.item))


def release_stock(token_info: dict, sku: str, body: dict) -> dict:
    quantity = StockQuantity.model_validate(body).quantity
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        change = uow.inventory.release(partition, sku, quantity)
        if change is None:
            reserved = _existing(uow, partition, sku).reserved
            raise Conflict(
                f"Only {_units(reserved)} of {sku} {_is(reserved)} reserved; "
                f"{quantity} cannot be released.",
                {
                    "quantity": "exceeds the units reserved",
                    "reserved": str(reserved),
                    "requested": str(quantity),
                },
            )
        stock.announce(uow, partition, change)  # a release never falls low; kept for symmetry
        uow.commit()
        return envelope.one(stock.view(change.item))


def _existing(uow, partition: Partition, sku: str) -> InventoryItem:
    item = uow.inventory.get(partition, sku)
    if item is None:
        raise NotFound("inventory item", sku)
    return item


def _check_product(uow, partition: Partition, product_id: str | None) -> None:
    if product_id is not None and uow.products.get(partition, product_id) is None:
        raise Unprocessable(
            "productId",
            f"No product {product_id} in this organization and mode.",
            "names no product of this organization and mode",
        )


def _shown(item: InventoryItem, fields: list[str] | None) -> dict:
    view = stock.view(item)
    if not fields:
        return view
    wanted = {"id", *fields}
    return {name: value for name, value in view.items() if name in wanted}


def _sort_order(sort: list[str] | None, order: list[str] | None) -> tuple[tuple[str, str], ...]:
    if not sort and not order:
        return DEFAULT_SORT
    fields = sort or [DEFAULT_SORT[0][0]]
    directions = order or []
    return tuple(
        (field, directions[i] if i < len(directions) else "asc") for i, field in enumerate(fields)
    )


def _units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"
