"""Helpers for the orders tests: products through the API, orders, and their checks."""

from __future__ import annotations

import re

from tests.support.api import PRODUCTS, product_body

ORDERS = "/api/v1/orders"
ORDER_ID = re.compile(r"^order_[0-9A-HJKMNP-TV-Z]{26}$")
PAYMENT_ID = re.compile(r"^pay_[0-9A-HJKMNP-TV-Z]{26}$")


def product(api, sku: str, price: str = "10.00", **fields) -> dict:
    response = api.post(PRODUCTS, json=product_body(sku, price=price, **fields))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def stocked(api, store, sku: str, price: str = "10.00", on_hand: int = 100, **fields) -> dict:
    """A product with `on_hand` units of stock under its SKU."""
    created = product(api, sku, price, **fields)
    store.stock(sku, on_hand)
    return created


def order_body(customer_id: str, *lines, **fields) -> dict:
    """`lines` are (product, quantity) pairs or item dicts."""
    items = [
        line if isinstance(line, dict) else {"productId": line[0]["id"], "quantity": line[1]}
        for line in lines
    ]
    return {"customerId": customer_id, "items": items, **fields}


def place(api, customer_id: str, *lines, **fields) -> dict:
    response = api.post(ORDERS, json=order_body(customer_id, *lines, **fields))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def fetch(api, order_id: str) -> dict:
    response = api.get(f"{ORDERS}/{order_id}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def move(api, order_id: str, status: str, **fields):
    return api.patch(f"{ORDERS}/{order_id}/status", json={"status": status, **fields})


def moved(api, order_id: str, *statuses: str) -> dict:
    """Walk the order through `statuses`, each move expected to succeed."""
    data = None
    for status in statuses:
        response = move(api, order_id, status)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
    return data


def update_body(order: dict, **fields) -> dict:
    """A PUT body that keeps everything of `order` but `fields`."""
    body = {
        "items": [{"productId": i["productId"], "quantity": i["quantity"]} for i in order["items"]],
        "shipping": order["shipping"],
        "metadata": order["metadata"],
    }
    for name in ("shippingAddress", "billingAddress", "notes"):
        if order[name] is not None:
            body[name] = order[name]
    body.update(fields)
    return body


def pay(api, order_id: str, amount: str, currency: str = "EUR", **fields):
    body = {"amount": amount, "currency": currency, "method": "card", "status": "succeeded"}
    return api.post(f"{ORDERS}/{order_id}/payments", json={**body, **fields})
