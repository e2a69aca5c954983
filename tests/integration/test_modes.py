"""Test-mode and live-mode data are separate: one organization, two catalogues."""

from __future__ import annotations

import pytest

from tests.support.api import (
    PRODUCTS,
    BaseUrlSession,
    assert_error,
    create,
    product_body,
    search,
)
from tests.support.records import issue_key

KEYS = "/api/v1/api-keys"


@pytest.fixture(scope="module")
def live_key(server, tenant):
    """A live-mode key of the same organization as `tenant`'s test-mode key."""
    return issue_key(server, tenant.organization_id, mode="live", name="Live key")


@pytest.fixture
def live_api(server, live_key) -> BaseUrlSession:
    return BaseUrlSession(server.url, live_key.auth)


@pytest.mark.parametrize("direction", ["test sees no live data", "live sees no test data"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_other_modes_product_is_not_found(api, live_api, prefix, direction, method):
    owner, other = (live_api, api) if direction == "test sees no live data" else (api, live_api)
    product = create(owner, prefix)
    body = {"json": product_body(prefix, name="Changed")} if method == "PUT" else {}

    response = other.request(method, f"{PRODUCTS}/{product['id']}", **body)

    error = assert_error(response, 404, "NOT_FOUND")
    assert product["id"] in error["message"]
    assert owner.get(f"{PRODUCTS}/{product['id']}").json()["data"] == product  # untouched


def test_lists_show_only_the_callers_mode(api, live_api, prefix):
    test_ids = {create(api, f"{prefix}-T{n}")["id"] for n in range(2)}
    live_ids = {create(live_api, f"{prefix}-L{n}")["id"] for n in range(3)}

    assert {p["id"] for p in search(api, q=prefix, perPage=100)["data"]} == test_ids
    assert {p["id"] for p in search(live_api, q=prefix, perPage=100)["data"]} == live_ids
    assert search(live_api, q=prefix)["pagination"]["total"] == 3


def test_a_sku_is_unique_per_mode(api, live_api, prefix):
    in_test = create(api, prefix, name="Test twin")
    in_live = create(live_api, prefix, name="Live twin")
    assert in_test["id"] != in_live["id"]

    assert_error(api.post(PRODUCTS, json=product_body(prefix)), 409, "CONFLICT")
    assert_error(live_api.post(PRODUCTS, json=product_body(prefix)), 409, "CONFLICT")
    assert [p["name"] for p in search(api, q=prefix)["data"]] == ["Test twin"]
    assert [p["name"] for p in search(live_api, q=prefix)["data"]] == ["Live twin"]


def test_keys_of_both_modes_are_managed_together(api, live_api, tenant, live_key):
    """Key management is per organization, not per mode: either key sees both."""
    for session in (api, live_api):
        response = session.get(KEYS, params={"perPage": 100})
        assert response.status_code == 200, response.text
        listed = {item["id"]: item["mode"] for item in response.json()["data"]}
        assert listed[tenant.key_id] == "test" and listed[live_key.key_id] == "live"

    created = live_api.post(KEYS, json={"name": "Made by live", "mode": "test"})
    assert created.status_code == 201, created.text
    assert api.get(f"{KEYS}/{created.json()['data']['id']}").status_code == 200
