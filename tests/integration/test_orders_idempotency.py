"""A retried order POST with the same Idempotency-Key places one order and reserves once."""

from __future__ import annotations

from tests.support.api import assert_error, unique_prefix
from tests.support.customers import create_customer
from tests.support.inventory import create_item, item_of
from tests.support.orders import ORDERS, order_body, product


def test_a_retried_order_post_places_one_order(api):
    prefix = unique_prefix()
    mug = product(api, f"{prefix}-MUG", price="9.50")
    create_item(api, f"{prefix}-MUG", on_hand=10)
    customer = create_customer(api, prefix)
    body = order_body(customer["id"], (mug, 3))
    key = {"Idempotency-Key": f"order-{prefix}"}

    first = api.post(ORDERS, json=body, headers=key)
    again = api.post(ORDERS, json=body, headers=key)

    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    placed = api.get(ORDERS, params={"customerId": customer["id"]}).json()
    assert [order["id"] for order in placed["data"]] == [first.json()["data"]["id"]]
    assert item_of(api, f"{prefix}-MUG")["reserved"] == 3

    other = api.post(ORDERS, json=order_body(customer["id"], (mug, 1)), headers=key)
    assert_error(other, 422, "UNPROCESSABLE")
    assert item_of(api, f"{prefix}-MUG")["reserved"] == 3
