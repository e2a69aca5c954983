"""GET /customers/{id}/export: everything held about a customer in one document,
through the API as an integrator would assemble it; nothing left once erased."""

from __future__ import annotations

from tests.support.api import BaseUrlSession, assert_error, unique_prefix
from tests.support.customers import create_customer
from tests.support.inventory import create_item
from tests.support.orders import ORDERS, pay, place, product
from tests.support.records import issue_key

CUSTOMERS = "/api/v1/customers"
ADDRESS = {"line1": "1 Analytical Way", "city": "London", "postalCode": "N1 9GU", "country": "GB"}


def placed_order(api, customer_id: str, prefix: str) -> dict:
    sku = f"{prefix}-EXP"
    made = product(api, sku, price="12.50")
    create_item(api, sku, on_hand=5)
    return place(api, customer_id, (made, 2), shippingAddress=ADDRESS)


def test_the_export_holds_the_profile_orders_and_payments(api):
    prefix = unique_prefix()
    customer = create_customer(api, prefix, addresses=[ADDRESS])
    first = placed_order(api, customer["id"], prefix)
    second = placed_order(api, customer["id"], prefix + "B")
    assert pay(api, first["id"], "25.00").status_code == 201
    assert pay(api, second["id"], "5.00", status="failed").status_code == 201
    other = create_customer(api, prefix + "O")
    placed_order(api, other["id"], prefix + "C")

    response = api.get(f"{CUSTOMERS}/{customer['id']}/export")

    assert response.status_code == 200, response.text
    export = response.json()["data"]
    assert export["customer"] == customer
    assert [order["id"] for order in export["orders"]] == [first["id"], second["id"]]
    assert export["orders"][0]["status"] == "paid"
    assert export["orders"][1]["shippingAddress"] == ADDRESS
    assert [(p["orderId"], p["amount"], p["status"]) for p in export["payments"]] == [
        (first["id"], "25.00", "succeeded"),
        (second["id"], "5.00", "failed"),
    ]
    assert other["id"] not in response.text


def test_an_erased_customer_has_nothing_left_to_export(api):
    prefix = unique_prefix()
    customer = create_customer(api, prefix, addresses=[ADDRESS])
    order = placed_order(api, customer["id"], prefix)
    assert api.delete(f"{CUSTOMERS}/{customer['id']}").status_code == 204

    assert_error(api.get(f"{CUSTOMERS}/{customer['id']}/export"), 404, "NOT_FOUND")
    kept = api.get(f"{ORDERS}/{order['id']}").json()["data"]
    assert (kept["customerId"], kept["shippingAddress"], kept["total"]) == (None, None, "25.00")


def test_the_export_needs_orders_read_as_well(server, tenant, api):
    customer = create_customer(api, unique_prefix())
    credentials = issue_key(server, tenant.organization_id, scopes=["customers:read"])
    narrow = BaseUrlSession(server.url, credentials.auth)
    response = narrow.get(f"{CUSTOMERS}/{customer['id']}/export")
    assert_error(response, 403, "AUTHORIZATION_ERROR")
    assert "orders:read" in response.json()["error"]["message"]
