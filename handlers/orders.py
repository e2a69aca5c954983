"""Orders (FR-005): placed, priced from the catalogue, moved along their lifecycle.

Every change happens in one unit of work with its stock changes and its events
(the outbox): all of it commits, or none of it does. Changes to one order lock
its row first (`for_update`), so concurrent changes apply one after the other and
`version` tells a client whether the order moved on since it last read it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from handlers import cursors, envelope
from handlers import order_lifecycle as lifecycle
from handlers.errors import Conflict, NotFound, Unprocessable
from handlers.money import from_minor, to_minor
from handlers.order_items import move_stock, order_items, priced_lines, reserve_difference
from handlers.order_views import order_view
from handlers.pricing import Line, Totals, price, representable
from storage import unit_of_work
from storage.clock import utcnow
from storage.events import changes_between
from storage.ids import new_id
from storage.models import Order
from storage.orders import OrderSearch
from storage.partition import Partition

DEFAULT_SORT = (("createdAt", "desc"),)


def list_orders(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    status: list[str] | None = None,
    customer_id: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    total_min: str | None = None,
    total_max: str | None = None,
    sort: list[str] | None = None,
    order: list[str] | None = None,
    fields: list[str] | None = None,
) -> dict:
    search = replace(
        _search(status, customer_id, created_after, created_before, total_min, total_max),
        sort=_sort_order(sort, order),
        page=page,
        per_page=per_page,
    )
    with unit_of_work() as uow:
        result = uow.orders.search(Partition.of(token_info), search)
        items = uow.orders.items_of(o.id for o in result.items)
        views = [order_view(o, items[o.id], fields) for o in result.items]
        return envelope.page(views, result)


def list_orders_by_cursor(
    token_info: dict,
    limit: int = 20,
    cursor: str | None = None,
    status: list[str] | None = None,
    customer_id: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    total_min: str | None = None,
    total_max: str | None = None,
    fields: list[str] | None = None,
) -> dict:
    """v2: newest first, one slice after the cursor."""
    search = _search(status, customer_id, created_after, created_before, total_min, total_max)
    after = cursors.position(cursor, "order")
    with unit_of_work() as uow:
        result = uow.orders.scroll(Partition.of(token_info), search, after=after, limit=limit)
        items = uow.orders.items_of(o.id for o in result.items)
        views = [order_view(o, items[o.id], fields) for o in result.items]
        return envelope.slice_of(views, result)


def _search(status, customer_id, created_after, created_before, total_min, total_max):
    return OrderSearch(
        statuses=tuple(status or ()),
        customer_id=customer_id,
        created_after=_instant(created_after),
        created_before=_instant(created_before),
        total_min_minor=to_minor(total_min) if total_min else None,
        total_max_minor=to_minor(total_max) if total_max else None,
    )


def get_order(token_info: dict, order_id: str, fields: list[str] | None = None) -> dict:
    with unit_of_work() as uow:
        order = existing(uow, Partition.of(token_info), order_id)
        return envelope.one(order_view(order, uow.orders.items_of([order.id])[order.id], fields))


def create_order(token_info: dict, body: dict) -> tuple[dict, int]:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        lines, currency = _catalogue_lines(uow, partition, body)
        totals = _priced(lines, to_minor(body.get("shipping") or "0.00"))
        now = utcnow()
        order = Order(
            id=new_id("order"),
            customer_id=body["customerId"],
            status=lifecycle.INITIAL,
            currency=currency,
            paid_minor=0,
            version=1,
            created_at=now,
            cancelled_at=None,
        )
        partition.stamp(order)
        _set_totals(order, totals)
        _set_details(order, body, now)
        items = order_items(order.id, lines)
        uow.orders.add(order, items)
        reserve_difference(uow, partition, [], lines)
        view = order_view(order, items)
        uow.events.record(partition, "order.created", view)
        uow.commit()
        return envelope.one(view), 201


def _catalogue_lines(uow, partition: Partition, body: dict) -> tuple[list[Line], str]:
    """The priced lines of a new order; one 422 naming the customer and every item at fault."""
    details = {}
    customer = uow.orders.customer(partition, body["customerId"])
    if customer is None:
        details["customerId"] = "is not a customer of this organization and mode"
    elif customer.status == "blocked":
        details["customerId"] = "is blocked"
    try:
        lines, currency = priced_lines(uow, partition, body["items"], None)
    except Unprocessable as error:
        details |= error.details
    if details:
        first = next(iter(details))
        raise Unprocessable(first, "The order cannot be placed as sent.", details[first], details)
    return lines, currency


def update_order(token_info: dict, order_id: str, body: dict) -> dict:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        order = _locked(uow, partition, order_id, body.get("version"))
        items = uow.orders.items_of([order.id])[order.id]
        before = order_view(order, items)
        _refuse_fixed_fields(order, items, body)
        lines = _requested_lines(uow, partition, order, items, body["items"])
        kept = lines if lines is not None else _lines_of(items)
        totals = _priced(kept, to_minor(body.get("shipping") or "0.00"))
        if totals.total < order.paid_minor:
            raise Unprocessable(
                "items", "The new total is below what was already paid.", "is below amountPaid"
            )
        if lines is not None:  # the items changed (only possible while pending)
            reserve_difference(uow, partition, items, lines)
            new_items = order_items(order.id, lines)
            uow.orders.replace_items(items, new_items)
            items = new_items
        _set_totals(order, totals)
        _set_details(order, body, utcnow())
        return _saved(uow, partition, order, items, before, "order.updated")


def change_order_status(token_info: dict, order_id: str, body: dict) -> dict:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        order = _locked(uow, partition, order_id, body.get("version"))
        return _move(uow, partition, order, body["status"], body.get("reason"))


def cancel_order(token_info: dict, order_id: str) -> dict:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        order = _locked(uow, partition, order_id, None)
        return _move(uow, partition, order, "cancelled", None)


def existing(uow, partition: Partition, order_id: str, *, for_update: bool = False) -> Order:
    order = uow.orders.get(partition, order_id, for_update=for_update)
    if order is None:
        raise NotFound("order", order_id)
    return order


def _locked(uow, partition: Partition, order_id: str, expected_version: int | None) -> Order:
    order = existing(uow, partition, order_id, for_update=True)
    if expected_version is not None and expected_version != order.version:
        raise Conflict(
            f"The order is at version {order.version}, not {expected_version}: "
            "read it again and retry.",
            {"version": f"is stale; the order is at version {order.version}"},
        )
    return order


def _move(uow, partition: Partition, order: Order, target: str, reason: str | None) -> dict:
    if not lifecycle.may_move(order.status, target):
        allowed = lifecycle.allowed_moves(order.status)
        raise Conflict(
            f"An order cannot move from {order.status} to {target}. "
            + lifecycle.describe_moves(order.status),
            {"status": f"allowed moves from {order.status}: {', '.join(allowed) or 'none'}"},
        )
    items = uow.orders.items_of([order.id])[order.id]
    before = order_view(order, items)
    effect = lifecycle.stock_effect(target)
    if effect:
        move_stock(uow, partition, effect, items)
    now = utcnow()
    order.status = target
    order.updated_at = now
    if target == "cancelled":
        order.cancelled_at = now
    event = "order.cancelled" if target == "cancelled" else "order.updated"
    return _saved(uow, partition, order, items, before, event, reason)


def _saved(uow, partition, order, items, before, event_type, reason=None) -> dict:
    """Bump the version, record the event with what changed, commit, answer the order."""
    order.version += 1
    uow.session.flush()
    after = order_view(order, items)
    changes = changes_between(before, after)
    if reason is not None and "status" in changes:
        changes["status"]["reason"] = reason
    uow.events.record(partition, event_type, after, changes)
    uow.commit()
    return envelope.one(after)


def _refuse_fixed_fields(order: Order, items, body: dict) -> None:
    """409 naming every field the PUT would change that the order's status fixes."""
    editable = lifecycle.editable_fields(order.status)
    changed = {
        "items": [(i["productId"], i["quantity"]) for i in body["items"]]
        != [(i.product_id, i.quantity) for i in items],
        "shippingAddress": body.get("shippingAddress") != order.shipping_address,
        "billingAddress": body.get("billingAddress") != order.billing_address,
        "shipping": to_minor(body.get("shipping") or "0.00") != order.shipping_minor,
    }
    fixed = [name for name, differs in changed.items() if differs and name not in editable]
    if fixed:
        raise Conflict(
            f"An order that is {order.status} can no longer change {', '.join(fixed)}.",
            {name: f"cannot change once the order is {order.status}" for name in fixed},
        )


def _requested_lines(uow, partition, order, items, requested: list[dict]) -> list[Line] | None:
    """The new priced lines when the items change; None when they stay (prices kept)."""
    same = [(i["productId"], i["quantity"]) for i in requested] == [
        (i.product_id, i.quantity) for i in items
    ]
    if not same:
        return priced_lines(uow, partition, requested, order.currency)[0]
    for index, (sent, line) in enumerate(zip(requested, items, strict=True)):
        unit_price = sent.get("unitPrice")
        if unit_price is not None and to_minor(unit_price) != line.unit_price_minor:
            raise Unprocessable(
                f"items[{index}].unitPrice",
                f"The unit price {unit_price} differs from the order's.",
                f"is {unit_price}, but the order's price is {from_minor(line.unit_price_minor)}",
            )
    return None


def _lines_of(items) -> list[Line]:
    return [Line(i.product_id, i.sku, i.name, i.quantity, i.unit_price_minor) for i in items]


def _priced(lines: list[Line], shipping_minor: int) -> Totals:
    totals = price(lines, shipping_minor)
    if not representable(totals, lines):
        raise Unprocessable(
            "items", "The order's total is larger than an amount can be.", "total too large"
        )
    return totals


def _set_totals(order: Order, totals: Totals) -> None:
    order.subtotal_minor = totals.subtotal
    order.shipping_minor = totals.shipping
    order.tax_minor = totals.tax
    order.discount_minor = totals.discount
    order.total_minor = totals.total


def _set_details(order: Order, body: dict, now: datetime) -> None:
    order.shipping_address = body.get("shippingAddress")
    order.billing_address = body.get("billingAddress")
    order.notes = body.get("notes")
    order.metadata_ = dict(body.get("metadata") or {})
    order.updated_at = now


def _sort_order(sort: list[str] | None, order: list[str] | None) -> tuple[tuple[str, str], ...]:
    if not sort and not order:
        return DEFAULT_SORT
    fields = sort or [DEFAULT_SORT[0][0]]
    directions = order or []
    return tuple(
        (field, directions[i] if i < len(directions) else "asc") for i, field in enumerate(fields)
    )


def _instant(value: str | None) -> datetime | None:
    # RFC 3339 allows a lower-case `t` and `z`, which fromisoformat() refuses.
    return datetime.fromisoformat(value.upper()) if value else None
