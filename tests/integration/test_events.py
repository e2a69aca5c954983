"""Events: each change to a customer or product records its event with the change, a
refused or failed change records none, and GET /events shows them to the right caller."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from storage.clock import utcnow
from tests.support.api import (
    PRODUCTS,
    RFC3339_UTC,
    BaseUrlSession,
    assert_error,
    create,
    product_body,
)
from tests.support.customers import (
    CUSTOMERS,
    EVENT_ID,
    EVENTS,
    create_customer,
    customer_body,
    email_of,
    events_of,
)
from tests.support.records import issue_key


def newest_events(api) -> list[dict]:
    response = api.get(EVENTS, params={"perPage": 100})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def assert_no_new_events(api, before: list[dict]) -> None:
    assert newest_events(api) == before


def next_second() -> None:
    time.sleep(1.01 - time.time() % 1)  # so updatedAt moves


# --- customers -------------------------------------------------------------------


def test_creating_a_customer_records_customer_created(api, prefix):
    before = utcnow().replace(microsecond=0)
    customer = create_customer(api, prefix, phone="+15555550100")

    [event] = events_of(api, customer["id"])

    assert EVENT_ID.match(event["id"])
    assert event == {
        "id": event["id"],
        "type": "customer.created",
        "createdAt": event["createdAt"],
        "resourceType": "customer",
        "resourceId": customer["id"],
        "data": customer,
        "changes": {},
    }
    assert RFC3339_UTC.match(event["createdAt"]) and event["createdAt"] >= before.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_replacing_a_customer_records_what_changed(api, prefix):
    customer = create_customer(api, prefix, metadata={"tier": "gold"})
    next_second()
    body = customer_body(prefix, status="blocked", metadata={"tier": "silver"}, firstName=None)
    updated = api.put(f"{CUSTOMERS}/{customer['id']}", json=body).json()["data"]

    created, event = events_of(api, customer["id"])

    assert created["type"] == "customer.created"
    assert event["type"] == "customer.updated"
    assert event["data"] == updated
    assert event["changes"] == {
        "firstName": {"from": "Ada", "to": None},
        "metadata": {"from": {"tier": "gold"}, "to": {"tier": "silver"}},
        "status": {"from": "active", "to": "blocked"},
        "updatedAt": {"from": customer["updatedAt"], "to": updated["updatedAt"]},
    }


def test_a_replacement_that_changes_nothing_records_nothing(api, prefix):
    customer = create_customer(api, prefix)
    next_second()
    assert api.put(f"{CUSTOMERS}/{customer['id']}", json=customer_body(prefix)).status_code == 200
    assert [e["type"] for e in events_of(api, customer["id"])] == ["customer.created"]


def test_deleting_a_customer_records_customer_deleted_with_the_id_only(api, prefix):
    customer = create_customer(api, prefix)
    assert api.delete(f"{CUSTOMERS}/{customer['id']}").status_code == 204

    events = events_of(api, customer["id"])

    assert [e["type"] for e in events] == ["customer.created", "customer.deleted"]
    assert events[1]["data"] == {"id": customer["id"]}
    assert events[1]["changes"] == {}


def test_refused_customer_changes_record_no_event(api, prefix):
    first = create_customer(api, prefix)
    second = create_customer(api, prefix, email=email_of(prefix, "-2"))
    before = newest_events(api)

    assert_error(api.post(CUSTOMERS, json=customer_body(prefix)), 409, "CONFLICT")
    taken = customer_body(prefix, email=email_of(prefix).upper())
    assert_error(api.put(f"{CUSTOMERS}/{second['id']}", json=taken), 409, "CONFLICT")
    assert_error(api.post(CUSTOMERS, json={"email": "nope"}), 400, "VALIDATION_ERROR")
    assert_error(api.put(f"{CUSTOMERS}/{first['id']}", json={}), 400, "VALIDATION_ERROR")
    missing = f"{CUSTOMERS}/cust_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"
    assert_error(api.delete(missing), 404, "NOT_FOUND")

    assert_no_new_events(api, before)


def test_concurrent_creations_of_one_email_commit_one_customer_and_one_event(
    server, tenant, api, prefix
):
    # The losers fail at the unique index after their event was added to the
    # transaction: each event must roll back with its failed change.
    body = customer_body(prefix)

    def post(_):
        with BaseUrlSession(server.url, tenant.auth) as session:
            return session.post(CUSTOMERS, json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, range(6)))

    assert sorted(statuses) == [201] + [409] * 5
    created = [
        e
        for e in newest_events(api)
        if e["type"] == "customer.created" and e["data"].get("email") == body["email"]
    ]
    assert len(created) == 1


# --- products ------------------------------------------------------------------


def test_product_changes_record_their_events(api, prefix):
    product = create(api, prefix, metadata={"c": "blue"})
    next_second()
    updated = api.put(
        f"{PRODUCTS}/{product['id']}", json=product_body(prefix, price="12.50")
    ).json()["data"]
    assert api.delete(f"{PRODUCTS}/{product['id']}").status_code == 204

    created, changed, deleted = events_of(api, product["id"])

    assert (created["type"], created["resourceType"]) == ("product.created", "product")
    assert created["data"] == product and created["changes"] == {}
    assert changed["type"] == "product.updated"
    assert changed["data"] == updated
    assert changed["changes"] == {
        "metadata": {"from": {"c": "blue"}, "to": {}},
        "price": {"from": "10.00", "to": "12.50"},
        "updatedAt": {"from": product["updatedAt"], "to": updated["updatedAt"]},
    }
    assert deleted["type"] == "product.deleted"
    assert deleted["data"] == updated  # the product's last view
    assert deleted["changes"] == {}


def test_refused_product_changes_record_no_event(api, prefix):
    create(api, prefix)
    other = create(api, f"{prefix}-2")
    next_second()
    unchanged = api.put(f"{PRODUCTS}/{other['id']}", json=product_body(f"{prefix}-2"))
    assert unchanged.status_code == 200
    before = newest_events(api)

    assert_error(api.post(PRODUCTS, json=product_body(prefix)), 409, "CONFLICT")
    assert_error(api.put(f"{PRODUCTS}/{other['id']}", json=product_body(prefix)), 409, "CONFLICT")
    assert_error(api.post(PRODUCTS, json=product_body(prefix, price="1")), 400, "VALIDATION_ERROR")

    assert_no_new_events(api, before)
    assert [e["type"] for e in events_of(api, other["id"])] == ["product.created"]


# --- reading events ----------------------------------------------------------------


def test_events_are_listed_newest_first_and_filtered(api, prefix):
    customer = create_customer(api, prefix)
    product = create(api, prefix)
    marker = utcnow()
    time.sleep(1.01 - time.time() % 1)
    api.delete(f"{CUSTOMERS}/{customer['id']}")

    page = newest_events(api)
    assert [e["resourceId"] for e in page[:3]] == [customer["id"], product["id"], customer["id"]]

    def listed(**params) -> list[tuple[str, str]]:
        response = api.get(EVENTS, params={"perPage": 100, **params})
        assert response.status_code == 200, response.text
        return [(e["type"], e["resourceId"]) for e in response.json()["data"]]

    mine = {customer["id"], product["id"]}
    by_type = listed(type="customer.deleted,product.created")
    assert [pair for pair in by_type if pair[1] in mine] == [
        ("customer.deleted", customer["id"]),
        ("product.created", product["id"]),
    ]
    assert listed(resourceId=product["id"]) == [("product.created", product["id"])]
    assert listed(resourceId=customer["id"], createdAfter=marker.isoformat()) == [
        ("customer.deleted", customer["id"])
    ]
    assert listed(resourceId=customer["id"], createdBefore=marker.isoformat()) == [
        ("customer.created", customer["id"])
    ]


def test_events_paginate_and_select_fields(api, prefix):
    customer = create_customer(api, prefix)
    for n in range(2):
        next_second()
        body = customer_body(prefix, lastName=f"Name {n}")
        assert api.put(f"{CUSTOMERS}/{customer['id']}", json=body).status_code == 200
    params = {"resourceId": customer["id"], "perPage": 2}

    first = api.get(EVENTS, params={**params, "page": 1}).json()
    second = api.get(EVENTS, params={**params, "page": 2}).json()

    assert first["pagination"] == {"page": 1, "perPage": 2, "total": 3, "totalPages": 2}
    assert [e["type"] for e in first["data"] + second["data"]] == [
        "customer.updated",
        "customer.updated",
        "customer.created",
    ]
    slim = api.get(EVENTS, params={**params, "fields": "type"}).json()["data"]
    assert slim == [{"id": e["id"], "type": e["type"]} for e in first["data"]]


def test_one_event_is_read_by_id(api, prefix):
    customer = create_customer(api, prefix)
    [event] = events_of(api, customer["id"])

    response = api.get(f"{EVENTS}/{event['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "data": event,
        "meta": {"requestId": response.headers["X-Request-Id"]},
    }
    only = api.get(f"{EVENTS}/{event['id']}", params={"fields": "resourceId"}).json()["data"]
    assert only == {"id": event["id"], "resourceId": customer["id"]}
    assert_error(api.get(f"{EVENTS}/evt_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"), 404, "NOT_FOUND")


@pytest.mark.parametrize("query", ["type=customer.renamed", "resourceId=nope", "perPage=0"])
def test_event_filters_are_validated(api, query):
    error = assert_error(api.get(f"{EVENTS}?{query}"), 400, "VALIDATION_ERROR")
    assert len(error["details"]) == 1


def test_events_stay_in_their_organization_and_mode(server, tenant, api, other_api, prefix):
    live_api = BaseUrlSession(
        server.url, issue_key(server, tenant.organization_id, mode="live").auth
    )
    customer = create_customer(api, prefix)
    [event] = events_of(api, customer["id"])

    for outsider in (other_api, live_api):
        assert_error(outsider.get(f"{EVENTS}/{event['id']}"), 404, "NOT_FOUND")
        assert events_of(outsider, customer["id"]) == []


def test_events_need_the_webhooks_scope(server, tenant):
    narrow = issue_key(server, tenant.organization_id, scopes=["customers:read", "products:read"])
    session = BaseUrlSession(server.url, narrow.auth)
    error = assert_error(session.get(EVENTS), 403, "AUTHORIZATION_ERROR")
    assert "webhooks:manage" in error["message"]
