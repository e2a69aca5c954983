"""The order lifecycle over HTTP: every legal move, every illegal one, and their stock effects."""

from __future__ import annotations

import pytest

from handlers.order_lifecycle import MOVES
from tests.support.api import assert_error
from tests.support.commerce import store_fixture  # noqa: F401  (the `store` fixture)
from tests.support.orders import ORDERS, fetch, move, moved, place, product, stocked

# The shortest walk from pending to each status.
PATHS = {
    "pending": (),
    "paid": ("paid",),
    "processing": ("paid", "processing"),
    "shipped": ("paid", "processing", "shipped"),
    "delivered": ("paid", "processing", "shipped", "delivered"),
    "completed": ("paid", "processing", "shipped", "delivered", "completed"),
    "cancelled": ("cancelled",),
    "return_requested": ("paid", "processing", "shipped", "delivered", "return_requested"),
    "refunded": ("paid", "processing", "shipped", "delivered", "return_requested", "refunded"),
}


@pytest.fixture
def new_order(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", on_hand=10)
    customer = store.customer()

    def make(status: str = "pending") -> dict:
        order = place(api, customer, (mug, 1))
        return moved(api, order["id"], *PATHS[status]) if PATHS[status] else order

    return make


def test_the_walks_cover_every_status():
    assert set(PATHS) == set(MOVES)


def test_every_legal_move_is_taken_and_recorded(api, store, new_order):
    for source, targets in MOVES.items():
        for target in targets:
            order = new_order(source)
            response = move(api, order["id"], target, reason=f"{source} to {target}")
            assert response.status_code == 200, (source, target, response.text)
            data = response.json()["data"]
            assert data["status"] == target
            assert data["version"] == order["version"] + 1
            assert data["allowedTransitions"] == list(MOVES[target])
            last = store.events(order["id"])[-1]
            expected = "order.cancelled" if target == "cancelled" else "order.updated"
            assert (last.type, last.data) == (expected, data)
            assert last.changes["status"] == {
                "from": source,
                "to": target,
                "reason": f"{source} to {target}",
            }


def test_every_illegal_move_is_a_conflict_naming_the_allowed_ones(api, store, new_order):
    orders = {status: new_order(status) for status in MOVES}
    for source, order in orders.items():
        events = len(store.events(order["id"]))
        for target in MOVES:
            if target in MOVES[source]:
                continue
            error = assert_error(move(api, order["id"], target), 409, "CONFLICT")
            allowed = ", ".join(MOVES[source]) or "none"
            assert error["details"] == {"status": f"allowed moves from {source}: {allowed}"}
        assert fetch(api, order["id"]) == order
        assert len(store.events(order["id"])) == events


def test_cancel_releases_ship_consumes_refund_restocks(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", on_hand=10)
    tee = stocked(api, store, f"{prefix}-TEE", on_hand=10)
    customer = store.customer()
    levels = lambda: (store.levels(f"{prefix}-MUG"), store.levels(f"{prefix}-TEE"))  # noqa: E731

    cancelled = place(api, customer, (mug, 2), (tee, 1))
    assert levels() == ((10, 2), (10, 1))
    moved(api, cancelled["id"], "paid", "cancelled")
    assert levels() == ((10, 0), (10, 0))

    shipped = place(api, customer, (mug, 3), (tee, 2), (mug, 1))
    moved(api, shipped["id"], "paid", "processing")
    assert levels() == ((10, 4), (10, 2))
    moved(api, shipped["id"], "shipped")
    assert levels() == ((6, 0), (8, 0))
    moved(api, shipped["id"], "delivered", "return_requested")
    assert levels() == ((6, 0), (8, 0))
    moved(api, shipped["id"], "refunded")
    assert levels() == ((10, 0), (10, 0))


def test_delete_cancels_and_the_order_stays_readable(api, store, new_order, prefix):
    order = new_order("pending")
    url = f"{ORDERS}/{order['id']}"

    response = api.delete(url)

    assert response.status_code == 200, response.text
    cancelled = response.json()["data"]
    assert cancelled["status"] == "cancelled" and cancelled["cancelledAt"] is not None
    assert cancelled["allowedTransitions"] == []
    assert fetch(api, order["id"]) == cancelled
    assert store.levels(f"{prefix}-MUG") == (10, 0)
    assert store.events(order["id"])[-1].type == "order.cancelled"

    again = assert_error(api.delete(url), 409, "CONFLICT")
    assert again["details"] == {"status": "allowed moves from cancelled: none"}
    listed = api.get(ORDERS, params={"status": "cancelled", "perPage": 100}).json()["data"]
    assert order["id"] in [o["id"] for o in listed]


def test_delete_after_processing_names_the_allowed_moves(api, new_order):
    order = new_order("processing")
    error = assert_error(api.delete(f"{ORDERS}/{order['id']}"), 409, "CONFLICT")
    assert error["details"] == {"status": "allowed moves from processing: shipped"}
    assert "shipped" in error["message"]


def test_a_low_stock_crossing_by_an_order_is_announced_once(api, store, prefix):
    sku = f"{prefix}-THR"
    item = product(api, sku)
    store.stock(sku, 10, threshold=5)
    customer = store.customer()

    def lows():
        return [e for e in store.events(event_type="inventory.low") if e.data["sku"] == sku]

    place(api, customer, (item, 4))
    assert lows() == []
    place(api, customer, (item, 1))  # available 5: at the threshold
    place(api, customer, (item, 1))
    [low] = lows()
    assert (low.data["available"], low.data["reserved"]) == (5, 5)
