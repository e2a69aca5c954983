"""GET /products: pagination, filters, sorting and field selection.

Every test marks its rows with a unique prefix and filters with `q=`, because
the server and its organizations are shared by the whole session.
"""

from __future__ import annotations

import time
from datetime import timedelta, timezone

import pytest

from storage.clock import utcnow
from tests.support.api import PRODUCTS, assert_error, create, search, skus


def names(api, query: str, prefix: str) -> list[str]:
    """The last word of each listed name, in the order the server answered."""
    response = api.get(f"{PRODUCTS}?{query}", params={"q": prefix})
    assert response.status_code == 200, response.text
    return [item["name"].rsplit(" ", 1)[1] for item in response.json()["data"]]


# --- pagination ----------------------------------------------------------------


def test_pages_split_the_matches_without_overlap(api, prefix):
    ids = {create(api, f"{prefix}-{n}")["id"] for n in range(5)}

    pages = [search(api, q=prefix, perPage=2, page=n) for n in (1, 2, 3, 4)]

    assert [len(page["data"]) for page in pages] == [2, 2, 1, 0]
    for number, page in enumerate(pages, start=1):
        assert page["pagination"] == {"page": number, "perPage": 2, "total": 5, "totalPages": 3}
    seen = [item["id"] for page in pages for item in page["data"]]
    assert len(seen) == len(set(seen)) and set(seen) == ids


def test_pagination_defaults_and_empty_results(api, prefix):
    create(api, prefix)
    assert search(api, q=prefix)["pagination"] == {
        "page": 1,
        "perPage": 20,
        "total": 1,
        "totalPages": 1,
    }
    empty = search(api, q=f"{prefix}-none")
    assert empty["data"] == []
    assert empty["pagination"] == {"page": 1, "perPage": 20, "total": 0, "totalPages": 0}
    # The list is deprecated (v2 replaces it): `meta` carries only the warning.
    assert set(empty) == {"data", "pagination", "meta"}


@pytest.mark.parametrize(
    "query, field",
    [("perPage=101", "query.perPage"), ("perPage=0", "query.perPage"), ("page=0", "query.page")],
)
def test_page_bounds_are_validated(api, query, field):
    assert search(api, perPage=100)["pagination"]["perPage"] == 100
    error = assert_error(api.get(f"{PRODUCTS}?{query}"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {field}


# --- filters -------------------------------------------------------------------


def test_status_filter_matches_any_listed_value(api, prefix):
    for status in ("active", "draft", "archived"):
        create(api, f"{prefix}-{status}", status=status)

    both = api.get(f"{PRODUCTS}?q={prefix}&status=active,draft").json()["data"]

    assert sorted(p["sku"] for p in both) == [f"{prefix}-active", f"{prefix}-draft"]
    assert skus(api, q=prefix, status="archived") == [f"{prefix}-archived"]


def test_price_range_is_inclusive(api, prefix):
    for price in ("1.99", "2.00", "2.50", "3.00", "3.01"):
        create(api, f"{prefix}-{price}", price=price)

    def between(**bounds):
        return sorted(s.removeprefix(f"{prefix}-") for s in skus(api, q=prefix, **bounds))

    assert between(priceMin="2.00", priceMax="3.00") == ["2.00", "2.50", "3.00"]
    assert between(priceMin="3.00") == ["3.00", "3.01"]
    assert between(priceMax="1.99") == ["1.99"]


def test_created_range_is_after_inclusive_before_exclusive(api, prefix):
    create(api, f"{prefix}-early")
    time.sleep(0.05)
    marker = utcnow()
    time.sleep(0.05)
    create(api, f"{prefix}-late")

    stamp = marker.isoformat()
    east = marker.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    assert skus(api, q=prefix, createdAfter=stamp) == [f"{prefix}-late"]
    assert skus(api, q=prefix, createdBefore=stamp) == [f"{prefix}-early"]
    assert skus(api, q=prefix, createdAfter=east) == [f"{prefix}-late"]
    assert sorted(skus(api, q=prefix, createdAfter=(marker - timedelta(days=1)).isoformat())) == [
        f"{prefix}-early",
        f"{prefix}-late",
    ]


def test_created_filter_accepts_lowercase_rfc3339_separators(api, prefix):
    create(api, prefix)
    yesterday = utcnow() - timedelta(days=1)
    # RFC 3339 §5.6 allows `t` and `z` in lower case; the format check accepts them.
    assert skus(api, q=prefix, createdAfter=yesterday.strftime("%Y-%m-%dt%H:%M:%Sz")) == [prefix]


def test_q_matches_name_or_sku_ignoring_case(api, prefix):
    create(api, f"{prefix}-AAA", name=f"Widget {prefix} blue")
    create(api, f"{prefix}-BBB", name=f"Gadget {prefix} red")

    assert skus(api, q=f"widget {prefix.lower()}") == [f"{prefix}-AAA"]  # by name
    assert skus(api, q=f"{prefix.lower()}-bbb") == [f"{prefix}-BBB"]  # by SKU


def test_q_treats_like_wildcards_literally(api, prefix):
    create(api, f"{prefix}_1", name=f"{prefix} 100% cotton")
    create(api, f"{prefix}X1", name=f"{prefix} 1000 cotton 50/50")

    # As LIKE wildcards, `%` and `_` would match both rows.
    assert skus(api, q=f"{prefix} 100%") == [f"{prefix}_1"]
    assert skus(api, q=f"{prefix}_1") == [f"{prefix}_1"]
    assert skus(api, q=f"{prefix} 1000 cotton 50/50") == [f"{prefix}X1"]  # the escape char


# --- sorting -------------------------------------------------------------------


def test_multi_field_sort_pairs_directions_by_position(api, prefix):
    for price, name in (("2.00", "b"), ("2.00", "a"), ("1.00", "c"), ("3.00", "d")):
        create(api, f"{prefix}-{name}", price=price, name=f"{prefix} {name}")

    assert names(api, "sort=price,name&order=desc,asc", prefix) == ["d", "a", "b", "c"]
    assert names(api, "sort=price,name&order=asc,desc", prefix) == ["c", "b", "a", "d"]
    assert names(api, "sort=name", prefix) == ["a", "b", "c", "d"]  # ascending by default


def test_default_order_is_newest_first(api, prefix):
    for name in ("first", "second", "third"):
        create(api, f"{prefix}-{name}", name=f"{prefix} {name}")

    assert names(api, "", prefix) == ["third", "second", "first"]
    # Without `sort`, the first direction applies to createdAt.
    assert names(api, "order=asc", prefix) == ["first", "second", "third"]


def test_directions_past_the_last_sort_field_are_ignored(api, prefix):
    for price, name in (("1.00", "a"), ("2.00", "b")):
        create(api, f"{prefix}-{name}", price=price, name=f"{prefix} {name}")

    assert names(api, "sort=price&order=desc,asc", prefix) == ["b", "a"]


def test_unknown_sort_field_is_a_validation_error(api):
    error = assert_error(api.get(f"{PRODUCTS}?sort=colour"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"query.sort"}


# --- field selection -----------------------------------------------------------


def test_fields_select_exactly_those_properties_plus_id(api, prefix):
    product = create(api, prefix)
    wanted = {"id": product["id"], "name": product["name"], "price": product["price"]}

    assert search(api, fields="name,price", q=prefix)["data"] == [wanted]
    single = api.get(f"{PRODUCTS}/{product['id']}?fields=name,price").json()["data"]
    assert single == wanted
    assert search(api, fields="sku", q=prefix)["data"] == [{"id": product["id"], "sku": prefix}]
