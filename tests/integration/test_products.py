"""Products: create, read, replace, delete, and SKU uniqueness within an organization.

The list's paging, filters, sorting and field selection are in test_products_listing.py.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from storage.clock import utcnow
from tests.support.api import (
    PRODUCT_ID,
    PRODUCTS,
    assert_error,
    assert_not_stored,
    create,
    product_body,
    skus,
)


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_create_answers_the_stored_product_with_server_computed_fields(api, prefix):
    before = utcnow().replace(microsecond=0)
    response = api.post(PRODUCTS, json=product_body(prefix, price="19.90", metadata={"c": "b"}))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["meta"] == {"requestId": response.headers["X-Request-Id"]}
    data = body["data"]
    assert PRODUCT_ID.match(data["id"])
    assert data == {
        "id": data["id"],
        "sku": prefix,
        "name": f"Product {prefix}",
        "description": None,
        "price": "19.90",
        "currency": "EUR",
        "status": "active",
        "metadata": {"c": "b"},
        "createdAt": data["createdAt"],
        "updatedAt": data["createdAt"],
    }
    assert data["createdAt"].endswith("Z")
    assert before <= instant(data["createdAt"]) <= utcnow()


def test_server_computed_fields_cannot_be_sent(api, prefix):
    body = product_body(
        prefix, id="prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", createdAt="2020-01-01T00:00:00Z"
    )
    error = assert_error(api.post(PRODUCTS, json=body), 400, "VALIDATION_ERROR")
    assert error["details"] == {"id": "is not allowed", "createdAt": "is not allowed"}
    assert_not_stored(api, prefix)


@pytest.mark.parametrize(
    "price", ["0.00", "0.05", "0.29", "19.90", "1234567890.99", "9999999999.99"]
)
def test_prices_round_trip_exactly(api, prefix, price):
    created = create(api, prefix, price=price)
    assert created["price"] == price
    assert api.get(f"{PRODUCTS}/{created['id']}").json()["data"]["price"] == price


def test_get_answers_what_create_answered(api, prefix):
    created = create(api, prefix, description="Organic cotton.", status="draft")
    response = api.get(f"{PRODUCTS}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "data": created,
        "meta": {"requestId": response.headers["X-Request-Id"]},
    }


def test_put_replaces_every_field_and_omitted_ones_take_defaults(api, prefix):
    original = create(
        api, prefix, description="Long text", status="draft", metadata={"color": "blue"}
    )
    time.sleep(1.01 - time.time() % 1)  # into the next second, so updatedAt must move
    replacement = {"sku": f"{prefix}-2", "name": "Renamed", "price": "5.00", "currency": "USD"}

    response = api.put(f"{PRODUCTS}/{original['id']}", json=replacement)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data == {
        **replacement,
        "id": original["id"],
        "description": None,
        "status": "active",
        "metadata": {},
        "createdAt": original["createdAt"],
        "updatedAt": data["updatedAt"],
    }
    assert instant(data["updatedAt"]) > instant(original["updatedAt"])
    assert api.get(f"{PRODUCTS}/{original['id']}").json()["data"] == data


def test_put_may_keep_the_products_own_sku(api, prefix):
    product = create(api, prefix)
    response = api.put(f"{PRODUCTS}/{product['id']}", json=product_body(prefix, name="Same SKU"))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["name"] == "Same SKU"


def test_delete_hides_the_product_and_frees_its_sku(api, prefix):
    product = create(api, prefix)
    url = f"{PRODUCTS}/{product['id']}"

    response = api.delete(url)

    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get(url), 404, "NOT_FOUND")
    assert_error(api.put(url, json=product_body(prefix)), 404, "NOT_FOUND")
    assert_error(api.delete(url), 404, "NOT_FOUND")
    assert_not_stored(api, prefix)

    again = create(api, prefix)
    assert again["id"] != product["id"]
    assert skus(api, q=prefix) == [prefix]


def test_duplicate_sku_is_a_conflict(api, prefix):
    create(api, prefix, name="First")

    error = assert_error(
        api.post(PRODUCTS, json=product_body(prefix, name="Second")), 409, "CONFLICT"
    )

    assert set(error["details"]) == {"sku"}
    assert prefix in error["message"]
    assert [p for p in skus(api, q=prefix)] == [prefix]


def test_put_onto_another_products_sku_is_a_conflict_and_changes_nothing(api, prefix):
    create(api, f"{prefix}-1")
    second = create(api, f"{prefix}-2", price="2.00")
    url = f"{PRODUCTS}/{second['id']}"

    taken = product_body(f"{prefix}-1", name="Changed", price="99.00")
    error = assert_error(api.put(url, json=taken), 409, "CONFLICT")

    assert set(error["details"]) == {"sku"}
    assert api.get(url).json()["data"] == second
    assert sorted(skus(api, q=prefix)) == [f"{prefix}-1", f"{prefix}-2"]
