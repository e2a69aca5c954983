"""Inventory: create, read, replace, delete, reservations and their 409s, 404s, scopes,
and the inventory.low event once per downward crossing.

The list's filters, sorting and field selection are in test_inventory_listing.py;
concurrent reservations in test_inventory_concurrency.py.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from storage.clock import utcnow
from tests.support.api import BaseUrlSession, assert_error
from tests.support.api import create as create_product
from tests.support.inventory import (
    INVENTORY,
    INVENTORY_ID,
    create_item,
    item_of,
    low_events,
    release,
    reserve,
)
from tests.support.records import issue_key


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture
def live_api(server, tenant) -> BaseUrlSession:
    """A live-mode key of `tenant`'s organization (whose `api` key is test-mode)."""
    return BaseUrlSession(server.url, issue_key(server, tenant.organization_id, mode="live").auth)


def assert_absent(api, sku: str) -> None:
    assert_error(api.get(f"{INVENTORY}/{sku}"), 404, "NOT_FOUND")


def assert_none_like(api, text: str) -> None:
    assert api.get(INVENTORY, params={"q": text}).json()["pagination"]["total"] == 0


# --- create and read ---


def test_create_answers_the_stored_item_with_server_computed_fields(api, prefix):
    before = utcnow().replace(microsecond=0)
    product = create_product(api, prefix)
    body = {
        "sku": prefix,
        "productId": product["id"],
        "onHand": 12,
        "lowStockThreshold": 3,
        "location": "Warehouse A, shelf 4",
    }

    response = api.post(INVENTORY, json=body)

    assert response.status_code == 201, response.text
    assert response.json()["meta"] == {"requestId": response.headers["X-Request-Id"]}
    data = response.json()["data"]
    assert INVENTORY_ID.match(data["id"])
    assert data == {
        "id": data["id"],
        "sku": prefix,
        "productId": product["id"],
        "onHand": 12,
        "reserved": 0,
        "available": 12,
        "lowStockThreshold": 3,
        "location": "Warehouse A, shelf 4",
        "createdAt": data["createdAt"],
        "updatedAt": data["createdAt"],
    }
    assert before <= instant(data["createdAt"]) <= utcnow()
    assert item_of(api, prefix) == data


def test_optional_fields_default_to_null(api, prefix):
    data = create_item(api, prefix, on_hand=0)
    assert (data["productId"], data["lowStockThreshold"], data["location"]) == (None, None, None)
    assert (data["onHand"], data["reserved"], data["available"]) == (0, 0, 0)


def test_get_selects_fields_and_always_keeps_the_id(api, prefix):
    created = create_item(api, prefix)
    response = api.get(f"{INVENTORY}/{prefix}", params={"fields": "available,sku"})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"id": created["id"], "sku": prefix, "available": 10}


def test_every_invalid_field_is_reported_at_once_and_nothing_is_stored(api, prefix):
    body = {
        "sku": f"-{prefix}",
        "onHand": -1,
        "lowStockThreshold": "3",
        "location": "   ",
        "productId": "prod_nope",
        "reserved": 4,
    }
    error = assert_error(api.post(INVENTORY, json=body), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {
        "sku",
        "onHand",
        "lowStockThreshold",
        "location",
        "productId",
        "reserved",
    }
    assert_none_like(api, prefix)


@pytest.mark.parametrize("missing", ["sku", "onHand"])
def test_sku_and_on_hand_are_required(api, prefix, missing):
    body = {"sku": prefix, "onHand": 1}
    del body[missing]
    error = assert_error(api.post(INVENTORY, json=body), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {missing}


def test_a_duplicate_sku_is_a_conflict(api, prefix):
    first = create_item(api, prefix, on_hand=4)
    error = assert_error(api.post(INVENTORY, json={"sku": prefix, "onHand": 9}), 409, "CONFLICT")
    assert error["details"] == {"sku": "is already used"}
    assert item_of(api, prefix) == first


def test_a_sku_is_unique_per_organization_and_mode(api, other_api, live_api, prefix):
    ours = create_item(api, prefix, on_hand=1)
    theirs = create_item(other_api, prefix, on_hand=2)
    live = create_item(live_api, prefix, on_hand=3)
    assert len({ours["id"], theirs["id"], live["id"]}) == 3
    assert item_of(api, prefix)["onHand"] == 1
    assert item_of(other_api, prefix)["onHand"] == 2
    assert item_of(live_api, prefix)["onHand"] == 3


@pytest.mark.parametrize("whose", ["unknown", "deleted", "other organization", "other mode"])
def test_product_id_must_name_an_undeleted_product_of_the_partition(
    api, other_api, live_api, prefix, whose
):
    owner = {"other organization": other_api, "other mode": live_api}.get(whose, api)
    product_id = "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"
    if whose != "unknown":
        product_id = create_product(owner, f"{prefix}-P")["id"]
    if whose == "deleted":
        assert api.delete(f"/api/v1/products/{product_id}").status_code == 204

    response = api.post(INVENTORY, json={"sku": prefix, "onHand": 1, "productId": product_id})

    error = assert_error(response, 422, "UNPROCESSABLE")
    assert set(error["details"]) == {"productId"}
    assert_absent(api, prefix)


# --- replace ---


def test_put_replaces_the_fields_and_omitted_ones_become_null(api, prefix):
    product = create_product(api, prefix)
    original = create_item(
        api, prefix, productId=product["id"], lowStockThreshold=2, location="Shelf 1"
    )
    time.sleep(1.01 - time.time() % 1)  # into the next second, so updatedAt must move

    response = api.put(f"{INVENTORY}/{prefix}", json={"onHand": 7})

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data == {
        **original,
        "productId": None,
        "onHand": 7,
        "available": 7,
        "lowStockThreshold": None,
        "location": None,
        "updatedAt": data["updatedAt"],
    }
    assert instant(data["updatedAt"]) > instant(original["updatedAt"])
    assert item_of(api, prefix) == data


def test_put_keeps_reservations_and_recomputes_available(api, prefix):
    create_item(api, prefix, on_hand=10)
    assert reserve(api, prefix, 4).status_code == 200
    body = {"onHand": 6, "lowStockThreshold": 1, "location": "Back room"}

    data = api.put(f"{INVENTORY}/{prefix}", json=body).json()["data"]

    assert (data["onHand"], data["reserved"], data["available"]) == (6, 4, 2)
    assert (data["lowStockThreshold"], data["location"]) == (1, "Back room")


def test_put_below_the_reserved_units_is_a_conflict_that_changes_nothing(api, prefix):
    create_item(api, prefix, on_hand=10, location="Shelf 1")
    before = reserve(api, prefix, 4).json()["data"]

    response = api.put(f"{INVENTORY}/{prefix}", json={"onHand": 3, "location": "Elsewhere"})

    error = assert_error(response, 409, "CONFLICT")
    assert error["details"] == {"onHand": "is below the units reserved", "reserved": "4"}
    assert item_of(api, prefix) == before


def test_put_to_exactly_the_reserved_units_leaves_none_available(api, prefix):
    create_item(api, prefix, on_hand=10)
    reserve(api, prefix, 4)
    data = api.put(f"{INVENTORY}/{prefix}", json={"onHand": 4}).json()["data"]
    assert (data["onHand"], data["reserved"], data["available"]) == (4, 4, 0)


def test_put_with_a_foreign_product_is_unprocessable_and_changes_nothing(api, other_api, prefix):
    before = create_item(api, prefix)
    foreign = create_product(other_api, f"{prefix}-P")["id"]
    response = api.put(f"{INVENTORY}/{prefix}", json={"onHand": 1, "productId": foreign})
    assert set(assert_error(response, 422, "UNPROCESSABLE")["details"]) == {"productId"}
    assert item_of(api, prefix) == before


def test_put_cannot_change_the_sku(api, prefix):
    create_item(api, prefix)
    response = api.put(f"{INVENTORY}/{prefix}", json={"onHand": 1, "sku": f"{prefix}-2"})
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"] == {"sku": "is not allowed"}


# --- reservations ---


def test_reserve_and_release_keep_available_equal_to_on_hand_minus_reserved(api, prefix):
    create_item(api, prefix, on_hand=10)
    steps = [(reserve, 3, 3, 7), (reserve, 7, 10, 0), (release, 4, 6, 4), (release, 6, 0, 10)]
    for change, quantity, reserved, available in steps:
        response = change(api, prefix, quantity)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert (data["onHand"], data["reserved"], data["available"]) == (10, reserved, available)
    assert item_of(api, prefix)["available"] == 10


def test_reserving_more_than_is_available_is_a_conflict_that_changes_nothing(api, prefix):
    create_item(api, prefix, on_hand=5)
    before = reserve(api, prefix, 4).json()["data"]

    error = assert_error(reserve(api, prefix, 2), 409, "CONFLICT")

    assert error["details"] == {
        "quantity": "exceeds the units available",
        "available": "1",
        "requested": "2",
    }
    assert item_of(api, prefix) == before


def test_releasing_more_than_is_reserved_is_a_conflict_that_changes_nothing(api, prefix):
    create_item(api, prefix, on_hand=5)
    before = reserve(api, prefix, 2).json()["data"]

    error = assert_error(release(api, prefix, 3), 409, "CONFLICT")

    assert error["details"] == {
        "quantity": "exceeds the units reserved",
        "reserved": "2",
        "requested": "3",
    }
    assert item_of(api, prefix) == before


@pytest.mark.parametrize("body", [{"quantity": 0}, {"quantity": -1}, {"quantity": "1"}, {}])
@pytest.mark.parametrize("action", ["reserve", "release"])
def test_a_quantity_is_a_whole_number_of_at_least_one(api, prefix, action, body):
    create_item(api, prefix)
    response = api.patch(f"{INVENTORY}/{prefix}/{action}", json=body)
    assert set(assert_error(response, 400, "VALIDATION_ERROR")["details"]) == {"quantity"}
    assert item_of(api, prefix)["reserved"] == 0


# --- delete ---


def test_delete_removes_the_item_and_frees_its_sku(api, prefix):
    created = create_item(api, prefix)
    url = f"{INVENTORY}/{prefix}"

    response = api.delete(url)

    assert response.status_code == 204
    assert response.content == b""
    assert_absent(api, prefix)
    assert_error(api.put(url, json={"onHand": 1}), 404, "NOT_FOUND")
    assert_error(reserve(api, prefix, 1), 404, "NOT_FOUND")
    assert_error(release(api, prefix, 1), 404, "NOT_FOUND")
    assert_error(api.delete(url), 404, "NOT_FOUND")
    assert_none_like(api, prefix)
    assert create_item(api, prefix)["id"] != created["id"]


def test_delete_is_refused_while_units_are_reserved(api, prefix):
    create_item(api, prefix, on_hand=5)
    before = reserve(api, prefix, 2).json()["data"]

    error = assert_error(api.delete(f"{INVENTORY}/{prefix}"), 409, "CONFLICT")

    assert error["details"] == {"reserved": "2"}
    assert item_of(api, prefix) == before
    release(api, prefix, 2)
    assert api.delete(f"{INVENTORY}/{prefix}").status_code == 204


# --- not found, tenancy, scopes ---

OPERATIONS = {
    "get": lambda session, sku: session.get(f"{INVENTORY}/{sku}"),
    "put": lambda session, sku: session.put(f"{INVENTORY}/{sku}", json={"onHand": 1}),
    "delete": lambda session, sku: session.delete(f"{INVENTORY}/{sku}"),
    "reserve": lambda session, sku: reserve(session, sku, 1),
    "release": lambda session, sku: release(session, sku, 1),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_an_unknown_sku_is_not_found(api, prefix, operation):
    error = assert_error(OPERATIONS[operation](api, prefix), 404, "NOT_FOUND")
    assert prefix in error["message"]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("intruder", ["other organization", "other mode"])
def test_another_partitions_item_is_not_found_and_untouched(
    api, other_api, live_api, prefix, operation, intruder
):
    created = create_item(api, prefix, on_hand=5)
    if operation == "release":
        created = reserve(api, prefix, 1).json()["data"]
    session = other_api if intruder == "other organization" else live_api

    assert_error(OPERATIONS[operation](session, prefix), 404, "NOT_FOUND")

    assert item_of(api, prefix) == created
    assert session.get(INVENTORY, params={"q": prefix}).json()["pagination"]["total"] == 0


def test_reading_needs_inventory_read_and_writing_inventory_write(server, tenant, api, prefix):
    create_item(api, prefix)
    reader = BaseUrlSession(
        server.url, issue_key(server, tenant.organization_id, scopes=["inventory:read"]).auth
    )
    stranger = BaseUrlSession(
        server.url, issue_key(server, tenant.organization_id, scopes=["products:read"]).auth
    )

    assert reader.get(f"{INVENTORY}/{prefix}").status_code == 200
    for response in (
        reader.post(INVENTORY, json={"sku": f"{prefix}-2", "onHand": 1}),
        reader.put(f"{INVENTORY}/{prefix}", json={"onHand": 1}),
        reader.delete(f"{INVENTORY}/{prefix}"),
        reserve(reader, prefix, 1),
        release(reader, prefix, 1),
    ):
        error = assert_error(response, 403, "AUTHORIZATION_ERROR")
        assert error["message"] == "This key lacks the scope inventory:write."
    error = assert_error(stranger.get(INVENTORY), 403, "AUTHORIZATION_ERROR")
    assert error["message"] == "This key lacks the scope inventory:read."
    assert item_of(api, prefix)["onHand"] == 10
    assert_absent(api, f"{prefix}-2")


# --- inventory.low, once per downward crossing ---


def test_low_stock_is_announced_once_per_downward_crossing(api, database_url, prefix):
    item = create_item(api, prefix, on_hand=10, lowStockThreshold=5)
    steps = [
        (reserve, 4, 0),  # available 6: above the threshold
        (reserve, 1, 1),  # 5: at the threshold, the crossing
        (reserve, 1, 1),  # 4: still low, no second event
        (release, 6, 1),  # 10: back above, nothing announced
        (reserve, 5, 2),  # 5: a second crossing
    ]
    shown = None
    for change, quantity, expected in steps:
        response = change(api, prefix, quantity)
        assert response.status_code == 200, response.text
        assert len(low_events(database_url, item["id"])) == expected, (change, quantity)
        if expected == 1 and shown is None:
            shown = response.json()["data"]

    first, second = low_events(database_url, item["id"])
    assert first.data == shown  # the item as the API showed it after the change
    assert second.data["available"] == 5 and second.data["reserved"] == 5
    # published_at is the relay's business: the server's webhook runner may publish at any time.
    assert (first.resource_type, first.changes) == ("inventory", {})


def test_the_event_belongs_to_the_items_organization_and_mode(api, tenant, database_url, prefix):
    item = create_item(api, prefix, on_hand=2, lowStockThreshold=1)
    reserve(api, prefix, 1)
    (event,) = low_events(database_url, item["id"])
    assert (event.organization_id, event.mode, event.type) == (
        tenant.organization_id,
        "test",
        "inventory.low",
    )


def test_a_refused_reservation_announces_nothing(api, database_url, prefix):
    item = create_item(api, prefix, on_hand=3, lowStockThreshold=1)
    assert reserve(api, prefix, 4).status_code == 409
    assert low_events(database_url, item["id"]) == []


def test_a_stocktake_and_a_raised_threshold_can_each_cross_downward(api, database_url, prefix):
    item = create_item(api, prefix, on_hand=10, lowStockThreshold=2)
    url = f"{INVENTORY}/{prefix}"

    api.put(url, json={"onHand": 8, "lowStockThreshold": 2})  # 8 > 2: not low
    assert low_events(database_url, item["id"]) == []
    api.put(url, json={"onHand": 8, "lowStockThreshold": 8})  # the threshold rose to it
    assert len(low_events(database_url, item["id"])) == 1
    api.put(url, json={"onHand": 3, "lowStockThreshold": 8})  # lower still: no second event
    assert len(low_events(database_url, item["id"])) == 1
    api.put(url, json={"onHand": 20, "lowStockThreshold": 8})  # restocked above
    data = api.put(url, json={"onHand": 8, "lowStockThreshold": 8}).json()["data"]  # counted down
    events = low_events(database_url, item["id"])
    assert len(events) == 2 and events[1].data == data


def test_dropping_the_threshold_while_low_announces_nothing(api, database_url, prefix):
    item = create_item(api, prefix, on_hand=10, lowStockThreshold=3)
    reserve(api, prefix, 8)  # 2 available: low
    api.put(f"{INVENTORY}/{prefix}", json={"onHand": 10})  # no threshold any more
    api.put(f"{INVENTORY}/{prefix}", json={"onHand": 10, "lowStockThreshold": 1})  # 2 > 1
    assert len(low_events(database_url, item["id"])) == 1


def test_an_item_created_low_is_announced_at_creation_only(api, database_url, prefix):
    item = create_item(api, prefix, on_hand=3, lowStockThreshold=3)
    (event,) = low_events(database_url, item["id"])
    assert event.data == item
    reserve(api, prefix, 1)
    assert len(low_events(database_url, item["id"])) == 1


def test_an_item_without_threshold_is_never_low(api, database_url, prefix):
    item = create_item(api, prefix, on_hand=1)
    reserve(api, prefix, 1)
    assert low_events(database_url, item["id"]) == []
