"""Organizations see only their own products: another's is missing, not forbidden."""

from __future__ import annotations

import pytest

from tests.support.api import PRODUCTS, assert_error, create, product_body, search

MISSING_ID = "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"


def send(session, method: str, product_id: str):
    body = {"json": product_body("TENANCY-PUT")} if method == "PUT" else {}
    return session.request(method, f"{PRODUCTS}/{product_id}", **body)


def shape(error: dict, product_id: str) -> dict:
    """The error with what differs per request taken out."""
    kept = {k: v for k, v in error.items() if k not in ("requestId", "timestamp")}
    kept["message"] = kept["message"].replace(product_id, "<id>")
    return kept


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_organizations_product_is_not_found(method, api, other_api, prefix):
    mine = create(api, prefix, description="A's own")

    foreign = assert_error(send(other_api, method, mine["id"]), 404, "NOT_FOUND")
    missing = assert_error(send(other_api, method, MISSING_ID), 404, "NOT_FOUND")

    assert shape(foreign, mine["id"]) == shape(missing, MISSING_ID)
    assert api.get(f"{PRODUCTS}/{mine['id']}").json()["data"] == mine  # untouched


def test_lists_never_show_another_organizations_products(api, other_api, prefix):
    ids = {create(api, f"{prefix}-{n}")["id"] for n in range(3)}

    assert search(other_api, q=prefix)["pagination"]["total"] == 0
    seen = {item["id"] for item in search(other_api, perPage=100)["data"]}
    assert not seen & ids
    assert {item["id"] for item in search(api, q=prefix)["data"]} == ids


def test_the_same_sku_lives_in_two_organizations(api, other_api, prefix):
    mine = create(api, prefix, name="Mine")
    theirs = create(other_api, prefix, name="Theirs")

    assert theirs["id"] != mine["id"]
    assert [p["name"] for p in search(api, q=prefix)["data"]] == ["Mine"]
    assert [p["name"] for p in search(other_api, q=prefix)["data"]] == ["Theirs"]
