"""Scopes: each operation's security requirement in the spec decides who may call it."""

from __future__ import annotations

import pytest

from tests.support.api import PRODUCTS, BaseUrlSession, assert_error, product_body
from tests.support.records import issue_key

KEYS = "/api/v1/api-keys"


@pytest.fixture
def reader(server, tenant) -> BaseUrlSession:
    credentials = issue_key(server, tenant.organization_id, scopes=["products:read"])
    return BaseUrlSession(server.url, credentials.auth)


def test_a_read_only_key_lists_products(reader):
    assert reader.get(PRODUCTS).status_code == 200


def test_a_read_only_key_cannot_create_a_product(reader, api, prefix):
    error = assert_error(
        reader.post(PRODUCTS, json=product_body(prefix)), 403, "AUTHORIZATION_ERROR"
    )

    assert error["message"] == "This key lacks the scope products:write."
    assert api.get(PRODUCTS, params={"q": prefix}).json()["pagination"]["total"] == 0


def test_a_key_without_keys_manage_cannot_see_keys(reader):
    error = assert_error(reader.get(KEYS), 403, "AUTHORIZATION_ERROR")
    assert "keys:manage" in error["message"]


def test_authentication_comes_before_scopes(server, anonymous):
    # No key at all is 401, not 403, even where a scope is required.
    assert_error(anonymous.post(PRODUCTS, json=product_body("NOKEY")), 401, "AUTHENTICATION_ERROR")


def test_a_key_cannot_grant_scopes_it_lacks(server, tenant):
    narrow = issue_key(server, tenant.organization_id, scopes=["keys:manage", "products:read"])
    session = BaseUrlSession(server.url, narrow.auth)

    error = assert_error(
        session.post(KEYS, json={"name": "Wider", "scopes": ["products:read", "orders:write"]}),
        403,
        "AUTHORIZATION_ERROR",
    )
    assert "orders:write" in error["message"]
    created = session.post(KEYS, json={"name": "Narrower"})
    assert created.status_code == 201, created.text
    assert created.json()["data"]["scopes"] == ["products:read", "keys:manage"]
