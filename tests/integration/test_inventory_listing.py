"""GET /inventory: pagination, the SKU search, lowStock and productId filters, sorting
and field selection.

Every test marks its SKUs with a unique prefix and filters with `q=`, because the
server and its organizations are shared by the whole session.
"""

from __future__ import annotations

import pytest

from tests.support.api import assert_error
from tests.support.api import create as create_product
from tests.support.inventory import INVENTORY, create_item, reserve


def listed(api, prefix: str, **params) -> dict:
    response = api.get(INVENTORY, params={"q": prefix, **params})
    assert response.status_code == 200, response.text
    return response.json()


def suffixes(api, prefix: str, **params) -> list[str]:
    """The SKUs listed, without the prefix, in the order the server answered."""
    return [
        item["sku"].removeprefix(f"{prefix}-")
        for item in listed(api, prefix, perPage=100, **params)["data"]
    ]


def test_pages_split_the_matches_without_overlap(api, prefix):
    ids = {create_item(api, f"{prefix}-{n}")["id"] for n in range(5)}

    pages = [listed(api, prefix, perPage=2, page=n) for n in (1, 2, 3, 4)]

    assert [len(page["data"]) for page in pages] == [2, 2, 1, 0]
    for number, page in enumerate(pages, start=1):
        assert page["pagination"] == {"page": number, "perPage": 2, "total": 5, "totalPages": 3}
    seen = [item["id"] for page in pages for item in page["data"]]
    assert len(seen) == len(set(seen)) and set(seen) == ids


def test_newest_first_by_default_and_every_item_as_get_shows_it(api, prefix):
    created = [create_item(api, f"{prefix}-{n}") for n in range(3)]
    assert listed(api, prefix)["data"] == created[::-1]


def test_q_matches_part_of_the_sku_ignoring_case(api, prefix):
    create_item(api, f"{prefix}-RED.L")
    create_item(api, f"{prefix}-BLUE_L")

    def found(text: str) -> list[str]:
        return sorted(item["sku"] for item in listed(api, text)["data"])

    assert found(f"{prefix.lower()}-red") == [f"{prefix}-RED.L"]
    assert found(f"{prefix.lower()}-blue_") == [f"{prefix}-BLUE_L"]
    assert found(prefix) == [f"{prefix}-BLUE_L", f"{prefix}-RED.L"]
    # `_` and `%` are literal characters, not wildcards.
    assert found(f"{prefix}-RED_L") == []
    assert found(f"{prefix}-%") == []


def test_low_stock_filter_splits_at_the_threshold(api, prefix):
    create_item(api, f"{prefix}-above", on_hand=5, lowStockThreshold=4)
    create_item(api, f"{prefix}-at", on_hand=5, lowStockThreshold=4)
    reserve(api, f"{prefix}-at", 1)  # available 4: at the threshold is low
    create_item(api, f"{prefix}-below", on_hand=1, lowStockThreshold=4)
    create_item(api, f"{prefix}-none", on_hand=0)  # no threshold: never low

    assert sorted(suffixes(api, prefix, lowStock="true")) == ["at", "below"]
    assert sorted(suffixes(api, prefix, lowStock="false")) == ["above", "none"]
    assert len(suffixes(api, prefix)) == 4


def test_product_filter(api, prefix):
    product = create_product(api, f"{prefix}-P")
    create_item(api, f"{prefix}-linked", productId=product["id"])
    create_item(api, f"{prefix}-loose")
    assert suffixes(api, prefix, productId=product["id"]) == ["linked"]
    assert suffixes(api, prefix, productId="prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E") == []


@pytest.mark.parametrize(
    "sort, order, expected",
    [
        ("available", "asc", ["b", "c", "a"]),
        ("available", "desc", ["a", "c", "b"]),
        ("onHand", "desc", ["c", "a", "b"]),
        ("reserved,sku", "desc,asc", ["c", "a", "b"]),
        ("sku", "desc", ["c", "b", "a"]),
    ],
)
def test_sorting_by_quantities_and_sku(api, prefix, sort, order, expected):
    # a: 8 on hand, 0 reserved, 8 available; b: 3, 0, 3; c: 9, 5, 4.
    create_item(api, f"{prefix}-a", on_hand=8)
    create_item(api, f"{prefix}-b", on_hand=3)
    create_item(api, f"{prefix}-c", on_hand=9)
    reserve(api, f"{prefix}-c", 5)
    assert suffixes(api, prefix, sort=sort, order=order) == expected


def test_fields_select_properties_and_keep_the_id(api, prefix):
    created = create_item(api, prefix, on_hand=4)
    data = listed(api, prefix, fields="sku,available")["data"]
    assert data == [{"id": created["id"], "sku": prefix, "available": 4}]


def test_other_organizations_and_modes_are_not_listed(api, other_api, prefix):
    create_item(other_api, f"{prefix}-theirs")
    mine = create_item(api, f"{prefix}-mine")
    assert [item["id"] for item in listed(api, prefix)["data"]] == [mine["id"]]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lowStock": "maybe"}, "query.lowStock"),
        ({"sort": "price"}, "query.sort"),
        ({"fields": "name"}, "query.fields"),
        ({"productId": "prod_x"}, "query.productId"),
        ({"perPage": 101}, "query.perPage"),
    ],
)
def test_bad_list_parameters_are_named(api, params, field):
    error = assert_error(api.get(INVENTORY, params=params), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {field}
