"""v2 lists: cursor pagination, complete and stable while rows are inserted."""

from __future__ import annotations

import base64
import threading

import pytest
from ulid import ULID

from tests.support.api import BaseUrlSession, product_body
from tests.support.customers import customer_body, email_of
from tests.support.problems import assert_problem, fields_of

V2 = "/api/v2/products"


def walk(api, prefix: str, limit: int, between=lambda: None) -> list[dict]:
    """Every slice of the prefix's products, calling `between` after each one."""
    seen, cursor = [], None
    for _ in range(200):
        params = {"q": prefix, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get(V2, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"data", "pagination", "meta"}
        assert body["meta"]["requestId"] == response.headers["X-Request-Id"]
        assert len(body["data"]) <= limit
        seen.extend(body["data"])
        between()
        if not body["pagination"]["hasMore"]:
            assert body["pagination"]["nextCursor"] is None
            return seen
        cursor = body["pagination"]["nextCursor"]
        assert cursor
    raise AssertionError("the walk did not end")


def test_a_walk_reads_every_row_once_while_rows_are_inserted(server, tenant, prefix):
    api = BaseUrlSession(server.url, tenant.auth)
    before = [api.post(V2, json=product_body(f"{prefix}-{n}")).json()["data"] for n in range(23)]
    stop = threading.Event()
    inserted: list[str] = []

    def insert_while_walking() -> None:
        writer = BaseUrlSession(server.url, tenant.auth)
        while not stop.is_set():
            response = writer.post(V2, json=product_body(f"{prefix}-new{len(inserted)}"))
            assert response.status_code == 201, response.text
            inserted.append(response.json()["data"]["id"])

    writer = threading.Thread(target=insert_while_walking)
    writer.start()
    # One insert between slices for certain, besides the writer's.
    try:
        seen = walk(
            api, prefix, 4, between=lambda: api.post(V2, json=product_body(f"{prefix}-x{ULID()}"))
        )
    finally:
        stop.set()
        writer.join()

    ids = [item["id"] for item in seen]
    assert len(ids) == len(set(ids)), "a row was read twice"
    assert {item["id"] for item in before} <= set(ids), "a row was skipped"
    assert ids == sorted(ids, reverse=True), "not newest first by id"
    assert inserted, "nothing was inserted during the walk"


def test_a_walk_without_inserts_matches_one_big_slice(api, prefix):
    for n in range(7):
        api.post(V2, json=product_body(f"{prefix}-{n}"))
    walked = [item["id"] for item in walk(api, prefix, 3)]
    whole = api.get(V2, params={"q": prefix, "limit": 100}).json()
    assert walked == [item["id"] for item in whole["data"]]
    assert len(walked) == 7
    assert whole["pagination"] == {"nextCursor": None, "hasMore": False}


def test_the_other_v2_lists_walk_by_cursor(api, prefix):
    for n in range(3):
        body = customer_body(prefix, email=email_of(prefix, str(n)))
        assert api.post("/api/v2/customers", json=body).status_code == 201
        item = {"sku": f"{prefix}-{n}", "onHand": 1}
        assert api.post("/api/v2/inventory", json=item).status_code == 201
    for path, params in (
        ("/api/v2/customers", {"q": prefix}),
        ("/api/v2/inventory", {"q": prefix}),
        ("/api/v2/orders", {}),
        ("/api/v2/webhooks", {}),
    ):
        first = api.get(path, params={"limit": 2, **params})
        assert first.status_code == 200, (path, first.text)
        pagination = first.json()["pagination"]
        if not pagination["hasMore"]:
            assert len(first.json()["data"]) <= 2 and pagination["nextCursor"] is None
            continue
        after = api.get(path, params={"limit": 2, **params, "cursor": pagination["nextCursor"]})
        assert after.status_code == 200, (path, after.text)
        ids = [item["id"] for item in first.json()["data"] + after.json()["data"]]
        assert len(ids) == len(set(ids)) and ids == sorted(ids, reverse=True), path
    assert len(api.get("/api/v2/customers", params={"q": prefix}).json()["data"]) == 3


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        _cursor("prod_nonsense"),
        _cursor(f"cust_{ULID()}"),  # an id of another kind of resource
        _cursor(f"prod_{ULID()}' OR 1=1 --"),
    ],
)
def test_a_cursor_the_list_did_not_give_is_a_400_problem(api, cursor):
    problem = assert_problem(api.get(V2, params={"cursor": cursor}), 400, "VALIDATION_ERROR")
    assert fields_of(problem) == ["query.cursor"]


@pytest.mark.parametrize("limit", ["0", "101", "x"])
def test_limit_bounds_are_validated(api, limit):
    problem = assert_problem(api.get(V2, params={"limit": limit}), 400, "VALIDATION_ERROR")
    assert fields_of(problem) == ["query.limit"]


def test_v1_paging_parameters_are_unknown_to_v2(api):
    problem = assert_problem(api.get(V2, params={"page": 1}), 400, "VALIDATION_ERROR")
    assert "query.page" in fields_of(problem) or "page" in problem["detail"]
