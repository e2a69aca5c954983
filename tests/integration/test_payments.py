"""Payments: attempts recorded on an order, what they do to it, and the rules they keep."""

from __future__ import annotations

from tests.support.api import assert_error
from tests.support.commerce import store_fixture  # noqa: F401  (the `store` fixture)
from tests.support.orders import ORDERS, PAYMENT_ID, fetch, moved, pay, place, stocked


def order_of(api, store, prefix, price="10.00", quantity=2, **fields) -> dict:
    mug = stocked(api, store, f"{prefix}-MUG", price, on_hand=10)
    return place(api, store.customer(), (mug, quantity), **fields)


def test_payments_covering_the_total_pay_the_order(api, store, prefix):
    order = order_of(api, store, prefix, shipping="5.00")  # total 25.00

    first = pay(api, order["id"], "20.00", providerReference="ch_1")
    assert first.status_code == 201, first.text
    payment = first.json()["data"]
    assert PAYMENT_ID.match(payment["id"])
    assert payment == {
        "id": payment["id"],
        "orderId": order["id"],
        "amount": "20.00",
        "currency": "EUR",
        "method": "card",
        "provider": "recorded",
        "providerReference": "ch_1",
        "status": "succeeded",
        "failureCode": None,
        "failureMessage": None,
        "createdAt": payment["createdAt"],
    }
    partly = fetch(api, order["id"])
    assert (partly["status"], partly["amountPaid"], partly["version"]) == ("pending", "20.00", 2)

    second = pay(api, order["id"], "5.00", method="wallet")
    assert second.status_code == 201, second.text
    paid = fetch(api, order["id"])
    assert (paid["status"], paid["amountPaid"], paid["version"]) == ("paid", "25.00", 3)
    assert paid["allowedTransitions"] == ["processing", "cancelled"]

    events = [
        (e.type, e.resource_id)
        for e in store.events()
        if e.resource_id in (order["id"], payment["id"], second.json()["data"]["id"])
    ]
    assert events == [
        ("order.created", order["id"]),
        ("order.updated", order["id"]),
        ("payment.received", payment["id"]),
        ("order.updated", order["id"]),
        ("payment.received", second.json()["data"]["id"]),
    ]
    last_update = store.events(order["id"])[-1]
    assert last_update.changes["status"] == {"from": "pending", "to": "paid"}
    assert last_update.changes["amountPaid"] == {"from": "20.00", "to": "25.00"}
    assert store.events(payment["id"])[0].data == payment

    listed = api.get(f"{ORDERS}/{order['id']}/payments").json()
    assert [p["amount"] for p in listed["data"]] == ["20.00", "5.00"]
    assert listed["pagination"] == {"page": 1, "perPage": 20, "total": 2, "totalPages": 1}
    one_per_page = api.get(f"{ORDERS}/{order['id']}/payments", params={"perPage": 1, "page": 2})
    assert [p["amount"] for p in one_per_page.json()["data"]] == ["5.00"]


def test_a_failed_payment_is_recorded_and_announced_but_changes_nothing(api, store, prefix):
    order = order_of(api, store, prefix)
    response = pay(
        api,
        order["id"],
        "20.00",
        status="failed",
        failureCode="card_declined",
        failureMessage="Insufficient funds.",
    )
    assert response.status_code == 201, response.text
    failed = response.json()["data"]
    assert (failed["status"], failed["failureCode"]) == ("failed", "card_declined")
    assert fetch(api, order["id"]) == order
    [event] = store.events(failed["id"])
    assert (event.type, event.data) == ("payment.failed", failed)
    assert [e.type for e in store.events(order["id"])] == ["order.created"]


def test_a_pending_payment_is_only_recorded(api, store, prefix):
    order = order_of(api, store, prefix)
    response = pay(api, order["id"], "20.00", status="pending")
    assert response.status_code == 201, response.text
    assert fetch(api, order["id"]) == order
    assert store.events(response.json()["data"]["id"]) == []


def test_currency_overpayment_and_failure_fields_are_unprocessable(api, store, prefix):
    order = order_of(api, store, prefix)  # 20.00 EUR
    error = assert_error(pay(api, order["id"], "25.00", "USD"), 422, "UNPROCESSABLE")
    assert set(error["details"]) == {"currency", "amount"}
    assert "20.00" in error["details"]["amount"]
    error = assert_error(
        pay(api, order["id"], "1.00", failureCode="card_declined"), 422, "UNPROCESSABLE"
    )
    assert set(error["details"]) == {"failureCode"}
    assert pay(api, order["id"], "15.00").status_code == 201
    error = assert_error(pay(api, order["id"], "5.01"), 422, "UNPROCESSABLE")
    assert error["details"] == {"amount": "is more than the 5.00 still due"}
    assert_error(pay(api, order["id"], "0.00"), 422, "UNPROCESSABLE")
    assert [p["amount"] for p in api.get(f"{ORDERS}/{order['id']}/payments").json()["data"]] == [
        "15.00"
    ]


def test_cancelled_and_refunded_orders_take_no_payment(api, store, prefix):
    order = order_of(api, store, prefix)
    moved(api, order["id"], "cancelled")
    error = assert_error(pay(api, order["id"], "1.00"), 409, "CONFLICT")
    assert "cancelled" in error["message"]
    refunded = order_of(api, store, f"{prefix}R")
    assert pay(api, refunded["id"], "20.00").status_code == 201
    moved(api, refunded["id"], "processing", "shipped", "delivered", "return_requested", "refunded")
    assert_error(pay(api, refunded["id"], "1.00"), 409, "CONFLICT")


def test_payments_of_a_missing_order_are_not_found(api):
    missing = f"{ORDERS}/order_01JD7X3M2Q4W8Y6Z0A1B2C3D4E/payments"
    assert_error(api.get(missing), 404, "NOT_FOUND")
    assert_error(pay(api, "order_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", "1.00"), 404, "NOT_FOUND")
