"""Orders: placing (pricing, validation, reservations, all or nothing), replacing, versions.

The lifecycle is in test_orders_lifecycle.py, the list in test_orders_listing.py,
payments in test_payments.py. Customers and stock are seeded through storage
(tests/support/commerce.py); products go through the API.
"""

from __future__ import annotations

from tests.support.api import BaseUrlSession, assert_error
from tests.support.commerce import store_fixture  # noqa: F401  (the `store` fixture)
from tests.support.orders import (
    ORDER_ID,
    ORDERS,
    fetch,
    moved,
    order_body,
    place,
    product,
    stocked,
    update_body,
)
from tests.support.signing import SignedKeyAuth

ADDRESS = {"line1": "1 Analytical Way", "city": "London", "postalCode": "N1 9GU", "country": "GB"}


def test_an_order_is_priced_from_the_catalogue_and_its_stock_reserved(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", "9.50", on_hand=10)
    tee = stocked(api, store, f"{prefix}-TEE", "19.99", on_hand=5)
    customer = store.customer()

    response = api.post(
        ORDERS,
        json=order_body(
            customer,
            {"productId": mug["id"], "quantity": 3, "unitPrice": "9.50"},
            (tee, 2),
            shipping="4.95",
            shippingAddress=ADDRESS,
            notes="Leave at the door.",
            metadata={"channel": "web"},
        ),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["meta"] == {"requestId": response.headers["X-Request-Id"]}
    order = body["data"]
    assert ORDER_ID.match(order["id"])
    assert order == {
        "id": order["id"],
        "customerId": customer,
        "status": "pending",
        "currency": "EUR",
        "items": [
            {
                "productId": mug["id"],
                "sku": f"{prefix}-MUG",
                "name": mug["name"],
                "quantity": 3,
                "unitPrice": "9.50",
                "lineTotal": "28.50",
            },
            {
                "productId": tee["id"],
                "sku": f"{prefix}-TEE",
                "name": tee["name"],
                "quantity": 2,
                "unitPrice": "19.99",
                "lineTotal": "39.98",
            },
        ],
        "subtotal": "68.48",
        "shipping": "4.95",
        "tax": "0.00",
        "discount": "0.00",
        "total": "73.43",
        "amountPaid": "0.00",
        "shippingAddress": ADDRESS,
        "billingAddress": None,
        "notes": "Leave at the door.",
        "metadata": {"channel": "web"},
        "version": 1,
        "allowedTransitions": ["paid", "cancelled"],
        "createdAt": order["createdAt"],
        "updatedAt": order["createdAt"],
        "cancelledAt": None,
    }
    assert fetch(api, order["id"]) == order
    assert store.levels(f"{prefix}-MUG") == (10, 3)
    assert store.levels(f"{prefix}-TEE") == (5, 2)
    [event] = store.events(order["id"])
    assert (event.type, event.data, event.changes) == ("order.created", order, {})


def test_amounts_are_exact_in_minor_units(api, store, prefix):
    # 0.10 + 0.20 is not 0.30 in floating point; 3 x 0.10 is not 0.30 either.
    dime = stocked(api, store, f"{prefix}-A", "0.10")
    fifth = stocked(api, store, f"{prefix}-B", "0.20")
    order = place(api, store.customer(), (dime, 3), (fifth, 1), shipping="0.01")
    assert (order["subtotal"], order["total"]) == ("0.50", "0.51")


def test_a_client_price_that_differs_from_the_catalogue_is_refused(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", "9.50", on_hand=10)
    before = store.event_count()
    body = order_body(
        store.customer(),
        (mug, 1),
        {"productId": mug["id"], "quantity": 1, "unitPrice": "1.00"},
    )

    error = assert_error(api.post(ORDERS, json=body), 422, "UNPROCESSABLE")

    assert set(error["details"]) == {"items[1].unitPrice"}
    assert "9.50" in error["details"]["items[1].unitPrice"]
    assert store.levels(f"{prefix}-MUG") == (10, 0)
    assert store.event_count() == before


def test_every_unusable_item_and_the_customer_are_named_at_once(api, store, prefix, other_api):
    usd = stocked(api, store, f"{prefix}-USD", currency="USD")
    eur = stocked(api, store, f"{prefix}-EUR")
    draft = stocked(api, store, f"{prefix}-DRAFT", status="draft")
    gone = stocked(api, store, f"{prefix}-GONE")
    assert api.delete(f"/api/v1/products/{gone['id']}").status_code == 204
    foreign = product(other_api, f"{prefix}-FOREIGN")
    body = order_body(
        "cust_01JD7X3M2Q4W8Y6Z0A1B2C3D4E",
        (usd, 1),
        (eur, 1),
        (draft, 1),
        (gone, 1),
        (foreign, 1),
    )

    error = assert_error(api.post(ORDERS, json=body), 422, "UNPROCESSABLE")

    assert set(error["details"]) == {
        "customerId",
        "items[1].productId",  # EUR, while the first item set the currency to USD
        "items[2].productId",
        "items[3].productId",
        "items[4].productId",
    }
    assert "draft" in error["details"]["items[2].productId"]


def test_erased_blocked_and_other_modes_customers_cannot_order(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG")
    live = store.in_mode("live").customer()
    for customer in (store.customer(erased=True), store.customer(status="blocked"), live):
        error = assert_error(
            api.post(ORDERS, json=order_body(customer, (mug, 1))), 422, "UNPROCESSABLE"
        )
        assert set(error["details"]) == {"customerId"}
    assert store.levels(f"{prefix}-MUG") == (100, 0)


def test_an_order_whose_third_item_is_out_of_stock_leaves_nothing(api, store, prefix):
    first = stocked(api, store, f"{prefix}-1", on_hand=5)
    second = stocked(api, store, f"{prefix}-2", on_hand=5)
    third = stocked(api, store, f"{prefix}-3", on_hand=1)
    store.stock(f"{prefix}-1-LOW", 0)  # unrelated rows stay as they are
    orders_before, events_before = store.order_count(), store.event_count()

    response = api.post(
        ORDERS, json=order_body(store.customer(), (first, 2), (second, 5), (third, 3))
    )

    error = assert_error(response, 409, "CONFLICT")
    assert error["details"] == {"items[2].quantity": f"{prefix}-3: 3 requested, 1 available"}
    assert f"{prefix}-3" in error["message"]
    assert store.order_count() == orders_before
    assert store.event_count() == events_before
    for sku, on_hand in ((f"{prefix}-1", 5), (f"{prefix}-2", 5), (f"{prefix}-3", 1)):
        assert store.levels(sku) == (on_hand, 0)


def test_every_short_item_is_named_and_unstocked_ones_are_unprocessable(api, store, prefix):
    short = stocked(api, store, f"{prefix}-SHORT", on_hand=1)
    also_short = stocked(api, store, f"{prefix}-ALSO", on_hand=0)
    unstocked = product(api, f"{prefix}-NONE")
    customer = store.customer()

    both = order_body(customer, (short, 2), (also_short, 1))
    error = assert_error(api.post(ORDERS, json=both), 409, "CONFLICT")
    assert error["details"] == {
        "items[0].quantity": f"{prefix}-SHORT: 2 requested, 1 available",
        "items[1].quantity": f"{prefix}-ALSO: 1 requested, 0 available",
    }

    mixed = order_body(customer, (short, 2), (unstocked, 1))
    error = assert_error(api.post(ORDERS, json=mixed), 422, "UNPROCESSABLE")
    assert error["details"] == {
        "items[1].productId": f"{prefix}-NONE is not stocked",
        "items[0].quantity": f"{prefix}-SHORT: 2 requested, 1 available",
    }
    assert store.levels(f"{prefix}-SHORT") == (1, 0)


def test_the_same_product_twice_reserves_the_sum(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", on_hand=5)
    customer = store.customer()
    error = assert_error(
        api.post(ORDERS, json=order_body(customer, (mug, 3), (mug, 3))), 409, "CONFLICT"
    )
    assert error["details"] == {"items[0].quantity": f"{prefix}-MUG: 6 requested, 5 available"}
    place(api, customer, (mug, 2), (mug, 3))
    assert store.levels(f"{prefix}-MUG") == (5, 5)


def test_input_is_validated_field_by_field(api, store):
    body = {
        "customerId": "cust_x",
        "items": [{"productId": "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", "quantity": 1001}],
        "shipping": "1.5",
        "total": "1.00",
    }
    error = assert_error(api.post(ORDERS, json=body), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"customerId", "items.0.quantity", "shipping", "total"}
    empty = assert_error(
        api.post(ORDERS, json={"customerId": store.customer(), "items": []}),
        400,
        "VALIDATION_ERROR",
    )
    assert set(empty["details"]) == {"items"}


def test_put_while_pending_replaces_items_and_moves_reservations(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", "2.00", on_hand=10)
    tee = stocked(api, store, f"{prefix}-TEE", "5.00", on_hand=10)
    order = place(api, store.customer(), (mug, 4), shipping="1.00", notes="first")

    body = update_body(
        order,
        items=[{"productId": tee["id"], "quantity": 2}, {"productId": mug["id"], "quantity": 1}],
        shippingAddress=ADDRESS,
        billingAddress=ADDRESS,
        shipping="3.00",
        notes="second",
        version=1,
    )
    response = api.put(f"{ORDERS}/{order['id']}", json=body)

    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert [(i["sku"], i["quantity"]) for i in updated["items"]] == [
        (f"{prefix}-TEE", 2),
        (f"{prefix}-MUG", 1),
    ]
    assert (updated["subtotal"], updated["shipping"], updated["total"]) == (
        "12.00",
        "3.00",
        "15.00",
    )
    assert (updated["notes"], updated["shippingAddress"], updated["version"]) == (
        "second",
        ADDRESS,
        2,
    )
    assert store.levels(f"{prefix}-MUG") == (10, 1)
    assert store.levels(f"{prefix}-TEE") == (10, 2)
    [created, changed] = store.events(order["id"])
    assert changed.type == "order.updated" and changed.data == updated
    assert changed.changes["total"] == {"from": "9.00", "to": "15.00"}
    assert fetch(api, order["id"]) == updated


def test_put_that_cannot_reserve_changes_nothing(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", on_hand=3)
    order = place(api, store.customer(), (mug, 2))
    body = update_body(order, items=[{"productId": mug["id"], "quantity": 4}], notes="more")

    error = assert_error(api.put(f"{ORDERS}/{order['id']}", json=body), 409, "CONFLICT")

    assert error["details"] == {"items[0].quantity": f"{prefix}-MUG: 4 requested, 3 available"}
    assert fetch(api, order["id"]) == order
    assert store.levels(f"{prefix}-MUG") == (3, 2)


def test_after_payment_items_and_shipping_are_fixed(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", on_hand=10)
    order = moved(api, place(api, store.customer(), (mug, 1))["id"], "paid")
    url = f"{ORDERS}/{order['id']}"

    more = update_body(order, items=[{"productId": mug["id"], "quantity": 2}], shipping="5.00")
    error = assert_error(api.put(url, json=more), 409, "CONFLICT")
    assert set(error["details"]) == {"items", "shipping"}

    allowed = update_body(order, shippingAddress=ADDRESS, notes="gift", metadata={"a": "b"})
    response = api.put(url, json=allowed)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["shippingAddress"] == ADDRESS
    assert store.levels(f"{prefix}-MUG") == (10, 1)


def test_once_shipped_only_notes_and_metadata_change(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG", on_hand=10)
    order = place(api, store.customer(), (mug, 1), shippingAddress=ADDRESS)
    order = moved(api, order["id"], "paid", "processing", "shipped")
    url = f"{ORDERS}/{order['id']}"

    moving = update_body(order, shippingAddress={**ADDRESS, "city": "Paris"}, notes="x")
    error = assert_error(api.put(url, json=moving), 409, "CONFLICT")
    assert set(error["details"]) == {"shippingAddress"}
    assert "shipped" in error["message"]

    response = api.put(url, json=update_body(order, notes="Signed for.", metadata={"k": "v"}))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["notes"] == "Signed for."


def test_a_stale_version_is_a_conflict_and_changes_nothing(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG")
    order = place(api, store.customer(), (mug, 1))
    url = f"{ORDERS}/{order['id']}"
    first = api.put(url, json=update_body(order, notes="one", version=1))
    assert first.status_code == 200 and first.json()["data"]["version"] == 2

    error = assert_error(
        api.put(url, json=update_body(order, notes="two", version=1)), 409, "CONFLICT"
    )
    assert set(error["details"]) == {"version"}
    stale_move = api.patch(f"{url}/status", json={"status": "paid", "version": 1})
    assert_error(stale_move, 409, "CONFLICT")
    assert fetch(api, order["id"]) == first.json()["data"]


def test_orders_of_another_tenant_or_mode_are_not_found(api, other_api, store, prefix, server):
    mug = stocked(api, store, f"{prefix}-MUG")
    order = place(api, store.customer(), (mug, 1))
    url = f"{ORDERS}/{order['id']}"
    organization = store.partition.organization_id
    live_key = server.cli("keys", "create", "--org", organization, "--mode", "live")
    live = BaseUrlSession(server.url, SignedKeyAuth(live_key["key"], live_key["secret"]))
    for stranger in (other_api, live):
        assert_error(stranger.get(url), 404, "NOT_FOUND")
        assert_error(stranger.put(url, json=update_body(order)), 404, "NOT_FOUND")
        assert_error(stranger.patch(f"{url}/status", json={"status": "paid"}), 404, "NOT_FOUND")
        assert_error(stranger.delete(url), 404, "NOT_FOUND")
        assert_error(stranger.get(f"{url}/payments"), 404, "NOT_FOUND")
        assert order["id"] not in [o["id"] for o in stranger.get(ORDERS).json()["data"]]
        # Nor can they order the tenant's products.
        error = assert_error(
            stranger.post(ORDERS, json=order_body(store.customer(), (mug, 1))),
            422,
            "UNPROCESSABLE",
        )
        assert "items[0].productId" in error["details"]
    assert fetch(api, order["id"]) == order


def test_an_erased_customers_order_stays_readable(api, store, prefix):
    mug = stocked(api, store, f"{prefix}-MUG")
    customer = store.customer()
    order = place(api, customer, (mug, 1))

    store.erase_customer(customer)

    shown = fetch(api, order["id"])
    assert shown["customerId"] is None
    assert {k: v for k, v in shown.items() if k != "customerId"} == {
        k: v for k, v in order.items() if k != "customerId"
    }
    listed = api.get(ORDERS, params={"customerId": customer}).json()
    assert listed["pagination"]["total"] == 0


def test_scopes_are_enforced(server, store, prefix, api):
    reader = server.new_tenant("Reader", scopes="orders:read,products:read")
    session = BaseUrlSession(server.url, reader.auth)
    assert session.get(ORDERS).status_code == 200
    item = {"productId": "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", "quantity": 1}
    body = order_body("cust_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", item)
    error = assert_error(session.post(ORDERS, json=body), 403, "AUTHORIZATION_ERROR")
    assert "orders:write" in error["message"]
