"""DELETE /customers/{id} is a GDPR erasure: the personal data is gone from every read
(the customer, the lists, every event), the customer's orders stay for accounting
without it, and other customers are untouched.

Orders are arranged directly in the database (with their events, as the orders
feature records them), since this branch has no orders API.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.models import Customer, Order, OrderItem
from storage.partition import Partition
from tests.support.api import assert_error, create
from tests.support.customers import (
    CUSTOMERS,
    all_event_pages,
    create_customer,
    customer_body,
    email_of,
    events_of,
    list_customers,
)


@pytest.fixture
def database(database_url):
    database = Database(database_url, pool_size=1)
    yield database
    database.dispose()


def address(prefix: str, street: str) -> dict:
    return {
        "name": f"Recipient {prefix}",
        "line1": f"{street} {prefix} Street",
        "city": f"City{prefix}",
        "postalCode": "N1 9GU",
        "country": "GB",
    }


def place_order(database, partition: Partition, customer: dict, product: dict) -> str:
    """An order of the customer, with one line, and its order.created/updated events."""
    now = utcnow()
    shipping, billing = customer["addresses"][0], customer["addresses"][1]
    order_id = new_id("order")
    with UnitOfWork(database.session_factory) as uow:
        order = Order(
            id=order_id,
            customer_id=customer["id"],
            status="pending",
            currency="EUR",
            subtotal_minor=2000,
            tax_minor=380,
            shipping_minor=500,
            discount_minor=0,
            total_minor=2880,
            paid_minor=0,
            shipping_address=shipping,
            billing_address=billing,
            notes=None,
            metadata_={},
            version=1,
            created_at=now,
            updated_at=now,
        )
        partition.stamp(order)
        uow.session.add(order)
        uow.session.flush()
        uow.session.add(
            OrderItem(
                order_id=order_id,
                position=1,
                product_id=product["id"],
                sku=product["sku"],
                name=product["name"],
                quantity=2,
                unit_price_minor=1000,
                line_total_minor=2000,
            )
        )
        shown = {
            "id": order_id,
            "customerId": customer["id"],
            "status": "pending",
            "total": "28.80",
            "shippingAddress": shipping,
            "billingAddress": billing,
        }
        uow.events.record(partition, "order.created", shown)
        uow.events.record(
            partition,
            "order.updated",
            {**shown, "status": "paid", "shippingAddress": billing},
            changes={
                "status": {"from": "pending", "to": "paid"},
                "shippingAddress": {"from": shipping, "to": billing},
            },
        )
        uow.commit()
    return order_id


def personal_strings(prefix: str, customer: dict) -> list[str]:
    return [
        customer["email"],
        customer["firstName"],
        customer["lastName"],
        customer["phone"],
        *(a["line1"] for a in customer["addresses"]),
        f"City{prefix}",
        f"Recipient {prefix}",
        f"secret-{prefix}",
    ]


def make_customer(api, prefix: str, tag: str) -> dict:
    return create_customer(
        api,
        prefix,
        email=email_of(prefix, tag),
        firstName=f"Ada{prefix}{tag}",
        lastName=f"Lovelace{prefix}{tag}",
        phone=f"+44{secrets.randbelow(10**10):010d}",  # unique in the shared event log
        addresses=[address(prefix + tag, "Home"), address(prefix + tag, "Work")],
        metadata={"note": f"secret-{prefix}{tag}"},
    )


def test_erasure_removes_personal_data_everywhere_and_keeps_orders(api, tenant, database, prefix):
    partition = Partition(tenant.organization_id, "test")
    product = create(api, prefix)
    customer = make_customer(api, prefix, "-gone")
    bystander = make_customer(api, prefix, "-kept")
    url = f"{CUSTOMERS}/{customer['id']}"
    writable = {k: v for k, v in customer.items() if k not in ("id", "createdAt", "updatedAt")}
    updated = api.put(url, json={**writable, "status": "blocked"})
    assert updated.status_code == 200, updated.text
    customer = updated.json()["data"]
    order_id = place_order(database, partition, customer, product)
    kept_order_id = place_order(database, partition, bystander, product)

    response = api.delete(url)

    assert response.status_code == 204, response.text
    # Gone from every read of customers.
    assert_error(api.get(url), 404, "NOT_FOUND")
    assert_error(api.put(url, json=customer_body(prefix)), 404, "NOT_FOUND")
    assert_error(api.delete(url), 404, "NOT_FOUND")
    listed = list_customers(api, q=prefix, perPage=100)["data"]
    assert [c["id"] for c in listed] == [bystander["id"]]
    # Gone from every event page, while the bystander's data is still there.
    everything = all_event_pages(api)
    for text in personal_strings(prefix + "-gone", customer):
        assert text not in everything, f"{text!r} survived the erasure"
    assert bystander["email"] in everything and bystander["phone"] in everything

    # The customer's own events keep only the id.
    events = events_of(api, customer["id"])
    assert [e["type"] for e in events] == [
        "customer.created",
        "customer.updated",
        "customer.deleted",
    ]
    assert all(e["data"] == {"id": customer["id"]} and e["changes"] == {} for e in events)
    # Its orders' events keep the accounting, not the person.
    created, paid = events_of(api, order_id)
    assert created["data"] == {
        "id": order_id,
        "customerId": None,
        "status": "pending",
        "total": "28.80",
        "shippingAddress": None,
        "billingAddress": None,
    }
    assert paid["data"]["status"] == "paid" and paid["data"]["shippingAddress"] is None
    assert paid["changes"] == {"status": {"from": "pending", "to": "paid"}}
    # The bystander's order events are untouched.
    kept_created, _ = events_of(api, kept_order_id)
    assert kept_created["data"]["customerId"] == bystander["id"]
    assert kept_created["data"]["shippingAddress"] == bystander["addresses"][0]

    with UnitOfWork(database.session_factory) as uow:
        row = uow.session.get(Customer, customer["id"])
        assert row is not None and row.deleted_at is not None
        assert (row.email, row.email_canonical, row.first_name, row.last_name, row.phone) == (
            None,
            None,
            None,
            None,
            None,
        )
        assert (row.addresses, row.metadata_) == ([], {})
        order = uow.session.get(Order, order_id)
        assert (order.customer_id, order.shipping_address, order.billing_address) == (
            None,
            None,
            None,
        )
        assert (order.status, order.total_minor, order.subtotal_minor) == ("pending", 2880, 2000)
        items = uow.session.scalars(select(OrderItem).where(OrderItem.order_id == order_id)).all()
        assert [(i.sku, i.quantity, i.line_total_minor) for i in items] == [
            (product["sku"], 2, 2000)
        ]
        kept = uow.session.get(Order, kept_order_id)
        assert kept.customer_id == bystander["id"]
        assert kept.shipping_address == bystander["addresses"][0]


def test_an_erased_customers_email_may_be_used_again(api, prefix):
    customer = make_customer(api, prefix, "")
    assert api.delete(f"{CUSTOMERS}/{customer['id']}").status_code == 204

    again = create_customer(api, prefix, email=customer["email"].upper())

    assert again["id"] != customer["id"]
    assert [c["id"] for c in list_customers(api, q=prefix)["data"]] == [again["id"]]
