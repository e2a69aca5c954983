"""GET /orders: pagination, filters, sorting and field selection.

The server is shared by the whole session, so every test lists the orders of a
customer of its own (`customerId=`).
"""

from __future__ import annotations

import time

import pytest

from tests.support.api import assert_error
from tests.support.commerce import store_fixture  # noqa: F401  (the `store` fixture)
from tests.support.orders import ORDERS, moved, place, stocked


@pytest.fixture
def shop(api, store, prefix):
    """A customer and a 1.00 product; `buy(n)` places an order of total n.00."""
    unit = stocked(api, store, f"{prefix}-UNIT", "1.00", on_hand=1000)
    customer = store.customer()

    def buy(quantity: int) -> dict:
        return place(api, customer, (unit, quantity))

    buy.customer = customer
    return buy


def listed(api, customer: str, **params) -> dict:
    response = api.get(ORDERS, params={"customerId": customer, **params})
    assert response.status_code == 200, response.text
    return response.json()


def totals(api, customer: str, **params) -> list[str]:
    return [o["total"] for o in listed(api, customer, perPage=100, **params)["data"]]


def test_pages_split_the_matches_without_overlap(api, shop):
    ids = {shop(n)["id"] for n in range(1, 6)}
    pages = [listed(api, shop.customer, perPage=2, page=n) for n in (1, 2, 3, 4)]
    assert [len(p["data"]) for p in pages] == [2, 2, 1, 0]
    for number, page in enumerate(pages, start=1):
        assert page["pagination"] == {"page": number, "perPage": 2, "total": 5, "totalPages": 3}
    seen = [o["id"] for p in pages for o in p["data"]]
    assert len(seen) == 5 and set(seen) == ids


def test_default_order_is_newest_first_and_sorts_combine(api, shop):
    for quantity in (2, 1, 3):
        shop(quantity)
        time.sleep(0.01)
    assert totals(api, shop.customer) == ["3.00", "1.00", "2.00"]
    assert totals(api, shop.customer, sort="total") == ["1.00", "2.00", "3.00"]
    assert totals(api, shop.customer, sort="total", order="desc") == ["3.00", "2.00", "1.00"]
    assert totals(api, shop.customer, order="asc") == ["2.00", "1.00", "3.00"]


def test_status_and_total_filters(api, shop):
    one, two, three = shop(1), shop(2), shop(3)
    moved(api, two["id"], "paid")
    moved(api, three["id"], "cancelled")
    assert totals(api, shop.customer, status="pending") == ["1.00"]
    assert sorted(totals(api, shop.customer, status="paid,cancelled")) == ["2.00", "3.00"]
    assert sorted(totals(api, shop.customer, totalMin="2.00")) == ["2.00", "3.00"]
    assert sorted(totals(api, shop.customer, totalMin="1.50", totalMax="2.00")) == ["2.00"]
    assert totals(api, shop.customer, sort="status", totalMax="9.00") == ["3.00", "2.00", "1.00"]
    assert one["status"] == "pending"


def test_date_filters(api, shop):
    first = shop(1)
    time.sleep(1.1)
    second = shop(2)
    boundary = second["createdAt"]
    assert totals(api, shop.customer, createdAfter=boundary) == ["2.00"]
    assert totals(api, shop.customer, createdBefore=boundary) == ["1.00"]
    assert first["createdAt"] < boundary


def test_fields_select_properties_and_id_always_comes(api, shop):
    order = shop(2)
    data = listed(api, shop.customer, fields="total,status")["data"]
    assert data == [{"id": order["id"], "total": "2.00", "status": "pending"}]
    one = api.get(f"{ORDERS}/{order['id']}", params={"fields": "items"}).json()["data"]
    assert one == {"id": order["id"], "items": order["items"]}


@pytest.mark.parametrize(
    "query, field",
    [
        ("perPage=101", "query.perPage"),
        ("status=open", "query.status"),
        ("totalMin=1", "query.totalMin"),
        ("sort=name", "query.sort"),
        ("fields=secret", "query.fields"),
        ("customerId=c1", "query.customerId"),
    ],
)
def test_bad_list_parameters_are_named(api, query, field):
    error = assert_error(api.get(f"{ORDERS}?{query}"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {field}
