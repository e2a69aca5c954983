"""GET /api-keys/{keyId}/usage: requests and errors per day, counted off the request path."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from storage.clock import utcnow
from tests.support.api import PRODUCTS, BaseUrlSession, assert_error, product_body
from tests.support.server import LiveServer
from tests.support.signing import SignedKeyAuth

KEYS = "/api/v1/api-keys"
MISSING_ID = "key_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"


def new_key(api, **fields) -> dict:
    response = api.post(KEYS, json={"name": "Usage", **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def signed(base_url: str, created: dict, secret: str | None = None) -> BaseUrlSession:
    return BaseUrlSession(base_url, SignedKeyAuth(created["key"], secret or created["secret"]))


def usage(api, key_id: str, **params) -> dict:
    response = api.get(f"{KEYS}/{key_id}/usage", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def usage_once_counted(api, key_id: str, requests: int) -> dict:
    """The usage as soon as `requests` requests are in (each process flushes about once a second).

    It returns whatever is stored at the deadline, for the caller's assertions to judge.
    """
    deadline = time.monotonic() + 30
    while True:
        data = usage(api, key_id)
        if data["totals"]["requests"] >= requests or time.monotonic() > deadline:
            return data
        time.sleep(0.2)


def test_requests_and_errors_are_counted_per_day(api, server):
    key = new_key(api, scopes=["products:read"])
    as_key = signed(server.url, key)
    for _ in range(4):
        assert as_key.get(PRODUCTS).status_code == 200
    assert as_key.get(f"{PRODUCTS}/not-an-id").status_code == 400
    assert as_key.get(f"{PRODUCTS}/prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E").status_code == 404
    # Refused, but made with the key: they count as its errors.
    assert as_key.post(PRODUCTS, json=product_body("USAGE-1")).status_code == 403
    assert signed(server.url, key, "sk_" + "x" * 43).get(PRODUCTS).status_code == 401

    data = usage_once_counted(api, key["id"], 8)

    today = utcnow().date()
    assert data["totals"] == {"requests": 8, "errors": 4}
    assert data["keyId"] == key["id"]
    assert (data["from"], data["to"]) == (
        (today - timedelta(days=29)).isoformat(),
        today.isoformat(),
    )
    assert [day["date"] for day in data["days"]] == [
        (today - timedelta(days=n)).isoformat() for n in range(29, -1, -1)
    ]
    assert data["days"][-1] == {"date": today.isoformat(), "requests": 8, "errors": 4}
    assert all(day["requests"] == day["errors"] == 0 for day in data["days"][:-1])
    assert data["lastUsedAt"] is not None


def test_a_never_used_key_has_zeros_and_no_last_use(api):
    key = new_key(api)
    data = usage(api, key["id"], **{"from": "2024-02-27", "to": "2024-03-01"})
    assert data["totals"] == {"requests": 0, "errors": 0}
    assert [day["date"] for day in data["days"]] == [
        "2024-02-27",
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
    ]
    assert data["lastUsedAt"] is None


def test_another_organizations_key_is_not_found(api, other_api, tenant):
    assert_error(other_api.get(f"{KEYS}/{tenant.key_id}/usage"), 404, "NOT_FOUND")
    assert_error(api.get(f"{KEYS}/{MISSING_ID}/usage"), 404, "NOT_FOUND")


def test_usage_needs_the_usage_read_scope(api, server):
    reader = signed(server.url, new_key(api, scopes=["usage:read"]))
    manager = signed(server.url, new_key(api, scopes=["keys:manage"]))
    key = new_key(api)

    assert reader.get(f"{KEYS}/{key['id']}/usage").status_code == 200
    error = assert_error(manager.get(f"{KEYS}/{key['id']}/usage"), 403, "AUTHORIZATION_ERROR")
    assert "usage:read" in error["message"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2024-03-02", "to": "2024-03-01"}, "query.from"),
        ({"from": "2023-01-01", "to": "2024-01-02"}, "query.from"),
        ({"from": "2024-02-30"}, "query.from"),
    ],
)
def test_impossible_ranges_are_unprocessable(api, tenant, params, field):
    response = api.get(f"{KEYS}/{tenant.key_id}/usage", params=params)
    error = assert_error(response, 422, "UNPROCESSABLE")
    assert list(error["details"]) == [field]


def test_malformed_dates_are_invalid(api, tenant):
    response = api.get(f"{KEYS}/{tenant.key_id}/usage", params={"from": "1/2/2024", "to": "x"})
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"query.from", "query.to"}


def test_the_longest_range_is_366_days(api, tenant):
    data = usage(api, tenant.key_id, **{"from": "2024-01-01", "to": "2024-12-31"})
    assert len(data["days"]) == 366
    assert date.fromisoformat(data["days"][-1]["date"]) == date(2024, 12, 31)


@pytest.fixture(scope="module")
def second_server(server, tmp_path_factory):
    """Another process on the same database, as behind a load balancer."""
    var_dir = tmp_path_factory.mktemp("usage-second")
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    live = LiveServer(env, var_dir / "server.log").start()
    yield live
    live.stop()


def test_two_processes_add_up(api, server, second_server):
    key = new_key(api)
    here, there = signed(server.url, key), signed(second_server.url, key)
    for _ in range(3):
        assert here.get(PRODUCTS).status_code == 200
    for _ in range(4):
        assert there.get(PRODUCTS).status_code == 200
    assert there.get(f"{PRODUCTS}/not-an-id").status_code == 400

    data = usage_once_counted(api, key["id"], 8)

    assert data["totals"] == {"requests": 8, "errors": 1}


def test_a_clean_stop_writes_what_was_not_flushed(api, server, tmp_path):
    """A process that flushes only hourly still loses nothing when stopped cleanly."""
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    env["GATEHOUSE_USAGE_FLUSH_SECONDS"] = "3600"
    slow = LiveServer(env, tmp_path / "server.log").start()
    key = new_key(api)
    try:
        as_key = signed(slow.url, key)
        for _ in range(3):
            assert as_key.get(PRODUCTS).status_code == 200
        assert usage(api, key["id"])["totals"]["requests"] == 0  # nothing written yet
    finally:
        slow.stop()

    assert usage(api, key["id"])["totals"] == {"requests": 3, "errors": 0}
