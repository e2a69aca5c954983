"""Deprecation driven by the spec: the v1 lists v2 replaces say so on every answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest

from scripts.generate import ROOT
from tests.support.api import assert_error, create

V1 = json.loads((ROOT / "generated" / "openapi" / "v1.json").read_text())
DEPRECATED_LISTS = [
    "/api/v1/products",
    "/api/v1/customers",
    "/api/v1/orders",
    "/api/v1/inventory",
    "/api/v1/webhooks",
]


def assert_deprecation_headers(response, since: str, sunset: str) -> None:
    deprecation = response.headers["Deprecation"]
    assert deprecation.startswith("@")
    assert datetime.fromtimestamp(int(deprecation[1:]), UTC).date().isoformat() == since
    assert parsedate_to_datetime(response.headers["Sunset"]).date().isoformat() == sunset
    assert response.headers["Sunset"].endswith(" GMT")
    # The guide on the docs site of the server itself (GATEHOUSE_DOCS_URL is unset; `serve`
    # names its own address), under the page name the spec's info gives.
    guide = V1["info"]["x-migration-guide"]
    own = urlsplit(response.url)
    docs = f"{own.scheme}://{own.netloc}/docs"
    assert response.headers["Link"] == f'<{docs}/{guide}>; rel="deprecation"'


def spec_dates(path: str) -> tuple[str, str]:
    operation = V1["paths"][path.removeprefix("/api/v1")]["get"]
    assert operation["deprecated"] is True
    return operation["x-deprecated-since"], operation["x-sunset"]


@pytest.mark.parametrize("path", DEPRECATED_LISTS)
def test_a_deprecated_list_answers_with_the_headers_and_a_warning(api, path):
    response = api.get(path, params={"perPage": 1})

    assert response.status_code == 200, response.text
    since, sunset = spec_dates(path)
    assert_deprecation_headers(response, since, sunset)
    meta = response.json()["meta"]
    assert meta["requestId"] == response.headers["X-Request-Id"]
    [warning] = meta["warnings"]
    assert f"GET {path}" in warning and sunset in warning and "migration-v1-to-v2" in warning


def test_errors_of_a_deprecated_operation_carry_the_headers_too(api, anonymous):
    since, sunset = spec_dates("/api/v1/products")
    invalid = api.get("/api/v1/products", params={"perPage": 0})
    assert_error(invalid, 400, "VALIDATION_ERROR")
    assert_deprecation_headers(invalid, since, sunset)
    unauthenticated = anonymous.get("/api/v1/products")
    assert_error(unauthenticated, 401, "AUTHENTICATION_ERROR")
    assert_deprecation_headers(unauthenticated, since, sunset)


def test_operations_not_deprecated_carry_no_deprecation(api, prefix):
    product = create(api, prefix)
    for path in (f"/api/v1/products/{product['id']}", "/api/v2/products"):
        response = api.get(path)
        assert response.status_code == 200, response.text
        assert not {"Deprecation", "Sunset", "Link"} & set(response.headers), path
        assert "warnings" not in response.json()["meta"]
