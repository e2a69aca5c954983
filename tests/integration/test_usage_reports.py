"""GET /usage/summary, /usage/endpoints, /usage/errors: the requests actually made, counted
exactly, recorded off the request path; and pruning past the retention."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from gatehouse.usage import RequestRecord, UsageRecorder
from storage.clock import utcnow
from tests.support.api import PRODUCTS, BaseUrlSession, assert_error
from tests.support.cli import run_cli
from tests.support.records import database_of, issue_key

USAGE = "/api/v1/usage"
MISSING_PRODUCT = "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"
LIST, GET, CREATE = (
    "handlers.products.list_products",
    "handlers.products.get_product",
    "handlers.products.create_product",
)


def report(reader, name: str, **params) -> dict:
    response = reader.get(f"{USAGE}/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def once_recorded(reader, key_id: str, requests: int) -> dict:
    """The summary of `key_id` as soon as `requests` requests are in (each process writes
    its records about once a second); whatever is stored at the deadline otherwise."""
    deadline = time.monotonic() + 30
    while True:
        summary = report(reader, "summary", keyId=key_id)
        if summary["totals"]["requests"] >= requests or time.monotonic() > deadline:
            return summary
        time.sleep(0.2)


def make_traffic(server) -> tuple[BaseUrlSession, str]:
    """A new organization whose worker key made 3 lists, 2 reads of a missing product
    and 1 invalid create; and a second key of it that reads the reports."""
    tenant = server.new_tenant("Usage reports")
    worker = BaseUrlSession(server.url, tenant.auth)
    worker.headers["User-Agent"] = "usage-tests/1.0"
    for _ in range(3):
        assert worker.get(PRODUCTS).status_code == 200
    for _ in range(2):
        assert worker.get(f"{PRODUCTS}/{MISSING_PRODUCT}").status_code == 404
    assert worker.post(PRODUCTS, json={}).status_code == 400
    reader = issue_key(server, tenant.organization_id, scopes=["usage:read"])
    return BaseUrlSession(server.url, reader.auth), tenant.key_id


def test_the_summary_matches_the_requests_made(server):
    reader, key_id = make_traffic(server)
    summary = once_recorded(reader, key_id, 6)

    today = utcnow().date().isoformat()
    assert summary["range"] == {
        "from": (utcnow().date() - timedelta(days=29)).isoformat(),
        "to": today,
        "keyId": key_id,
    }
    totals = summary["totals"]
    assert (totals["requests"], totals["errors"]) == (6, 3)
    assert totals["requestBytes"] == 2  # the one body sent: {}
    assert totals["responseBytes"] > 0
    assert summary["byStatus"] == [
        {"status": 200, "count": 3},
        {"status": 400, "count": 1},
        {"status": 404, "count": 2},
    ]
    assert len(summary["days"]) == 30
    assert [d["date"] for d in summary["days"]][-1] == today
    assert (summary["days"][-1]["requests"], summary["days"][-1]["errors"]) == (6, 3)
    assert all(day["requests"] == 0 for day in summary["days"][:-1])

    # Without the key filter, the organization's reports count too (the reader's own calls).
    everything = report(reader, "summary")
    assert everything["totals"]["requests"] >= 6
    assert everything["range"]["keyId"] is None


def test_endpoints_and_errors_break_the_requests_down(server):
    reader, key_id = make_traffic(server)
    once_recorded(reader, key_id, 6)

    endpoints = report(reader, "endpoints", keyId=key_id)["endpoints"]
    counted = {(e["operationId"], e["method"]): (e["requests"], e["errors"]) for e in endpoints}
    assert counted == {(LIST, "GET"): (3, 0), (GET, "GET"): (2, 2), (CREATE, "POST"): (1, 1)}
    assert [e["operationId"] for e in endpoints][0] == LIST  # busiest first
    assert all(e["maxLatencyMs"] >= e["averageLatencyMs"] > 0 for e in endpoints)

    errors = report(reader, "errors", keyId=key_id)
    assert (errors["requests"], errors["errors"], errors["errorRate"]) == (6, 3, 0.5)
    assert errors["byStatus"] == [{"status": 400, "count": 1}, {"status": 404, "count": 2}]
    groups = [
        (g["operationId"], g["method"], g["status"], g["count"]) for g in errors["byEndpoint"]
    ]
    assert groups == [(GET, "GET", 404, 2), (CREATE, "POST", 400, 1)]
    assert errors["days"][-1] == {"date": utcnow().date().isoformat(), "requests": 6, "errors": 3}


def test_reports_are_the_callers_organization_only(server, other_tenant):
    reader, key_id = make_traffic(server)
    once_recorded(reader, key_id, 6)
    stranger = BaseUrlSession(server.url, other_tenant.auth)
    assert report(stranger, "summary", keyId=key_id)["totals"]["requests"] == 0


def test_a_key_without_usage_read_is_refused(server, tenant):
    narrow = issue_key(server, tenant.organization_id, scopes=["products:read"])
    session = BaseUrlSession(server.url, narrow.auth)
    for name in ("summary", "endpoints", "errors"):
        refused = session.get(f"{USAGE}/{name}")
        assert "usage:read" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]


def test_a_range_the_wrong_way_round_is_unprocessable(api):
    refused = api.get(f"{USAGE}/summary", params={"from": "2024-02-01", "to": "2024-01-01"})
    assert_error(refused, 422, "UNPROCESSABLE")


def test_pruning_deletes_records_past_the_retention(server, tenant):
    """Records of 10 days ago are reported until `gatehouse usage prune` with a 5-day
    retention deletes them; today's stay."""
    organization = server.new_tenant("Pruned").organization_id
    old_day = datetime.now(UTC) - timedelta(days=10)
    with database_of(server) as database:
        recorder = UsageRecorder(database)
        for moment in (old_day, datetime.now(UTC)):
            recorder.record(
                RequestRecord(
                    organization_id=organization,
                    credential_id=None,
                    operation_id=LIST,
                    method="GET",
                    status=200,
                    latency_ms=1.0,
                    request_bytes=0,
                    response_bytes=1,
                    client_address="127.0.0.1",
                    user_agent=None,
                    request_id="req_pruning",
                    occurred_at=moment,
                )
            )
        recorder.flush()
    reader = BaseUrlSession(server.url, issue_key(server, organization, scopes=["usage:read"]).auth)
    old = old_day.date().isoformat()
    assert report(reader, "summary", **{"from": old, "to": old})["totals"]["requests"] == 1

    pruned = run_cli(
        type("Env", (), {"env": {**server.env, "GATEHOUSE_USAGE_RETENTION_DAYS": "5"}})(),
        "usage",
        "prune",
        "--json",
    )
    assert pruned.returncode == 0, pruned.stderr
    assert '"retentionDays": 5' in pruned.stdout

    assert report(reader, "summary", **{"from": old, "to": old})["totals"]["requests"] == 0
    today = utcnow().date().isoformat()
    assert report(reader, "summary", **{"from": today})["totals"]["requests"] >= 1
