"""Helpers for talking to a live server: sessions, product bodies, envelope checks."""

from __future__ import annotations

import re
import uuid

import requests

PRODUCTS = "/api/v1/products"
PRODUCT_ID = re.compile(r"^prod_[0-9A-HJKMNP-TV-Z]{26}$")
REQUEST_ID = re.compile(r"^req_[0-9A-HJKMNP-TV-Z]{26}$")
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# What a stack trace or a database error would leave in a body.
LEAKS = ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3", "SELECT ", "INSERT INTO")


class BaseUrlSession(requests.Session):
    """A session that joins a base URL on and, given credentials, signs every request."""

    def __init__(self, base_url: str, auth=None) -> None:
        super().__init__()
        self.base_url = base_url
        self.auth = auth

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 10)
        return super().request(method, self.base_url + url, *args, **kwargs)


def unique_prefix() -> str:
    """A SKU-safe marker for one test's rows; the server is shared by the whole session."""
    return f"T{uuid.uuid4().hex[:12].upper()}"


def product_body(sku: str, **fields) -> dict:
    body = {"sku": sku, "name": f"Product {sku}", "price": "10.00", "currency": "EUR"}
    body.update(fields)
    return body


def create(api, sku: str, **fields) -> dict:
    response = api.post(PRODUCTS, json=product_body(sku, **fields))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def search(api, **params) -> dict:
    response = api.get(PRODUCTS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def skus(api, **params) -> list[str]:
    return [item["sku"] for item in search(api, perPage=100, **params)["data"]]


def assert_not_stored(api, sku: str) -> None:
    """Nothing with this SKU exists for the caller (the request left no trace)."""
    assert search(api, q=sku)["pagination"]["total"] == 0


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} reached the client: {text[:500]}"


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    """The documented envelope, tied to the response's headers; returns `error`."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-API-Version"] == "v1"
    assert_no_leak(response.text)
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert error["message"].strip()
    assert error["requestId"] == response.headers["X-Request-Id"]
    assert RFC3339_UTC.match(error["timestamp"]), error["timestamp"]
    # The errors guide at the code's anchor; by default the one this server serves.
    assert error["documentation"].startswith(("https://", "http://"))
    assert error["documentation"].endswith(f"/docs/errors#{code}")
    return error
