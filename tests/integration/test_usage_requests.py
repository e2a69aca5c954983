"""GET /usage/requests (the request log) and the rate-limit rejections of /usage/summary:
the requests actually made, one by one, with the request ids their answers carried."""

from __future__ import annotations

import time
from datetime import datetime

from storage.clock import utcnow
from tests.support.api import PRODUCTS, BaseUrlSession, assert_error
from tests.support.people import AUTH, as_bearer, verified_person
from tests.support.records import issue_key
from tests.support.signing import SignedKeyAuth

USAGE = "/api/v1/usage"
MISSING_PRODUCT = "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"


def request_log(reader, **params) -> dict:
    response = reader.get(f"{USAGE}/requests", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def once_listed(reader, key_id: str, count: int) -> dict:
    """The log of `key_id` as soon as `count` requests are in (records are written about
    once a second); whatever is stored at the deadline otherwise."""
    deadline = time.monotonic() + 30
    while True:
        listed = request_log(reader, keyId=key_id)
        if listed["pagination"]["total"] >= count or time.monotonic() > deadline:
            return listed
        time.sleep(0.2)


def make_traffic(server) -> tuple[BaseUrlSession, str, list, str]:
    """A new organization whose worker key made a list, a read of a missing product and an
    invalid create (their answers, in order); and a second key of it that reads the log
    (the session, the worker's key id, the answers, the reader's key id)."""
    tenant = server.new_tenant("Request log")
    worker = BaseUrlSession(server.url, tenant.auth)
    answers = [
        worker.get(PRODUCTS),
        worker.get(f"{PRODUCTS}/{MISSING_PRODUCT}"),
        worker.post(PRODUCTS, json={}),
    ]
    assert [answer.status_code for answer in answers] == [200, 404, 400]
    reader = issue_key(server, tenant.organization_id, scopes=["usage:read"])
    return BaseUrlSession(server.url, reader.auth), tenant.key_id, answers, reader.key_id


def test_the_log_lists_each_request_newest_first_with_its_request_id(server):
    reader, key_id, answers, reader_id = make_traffic(server)
    listed = once_listed(reader, key_id, 3)

    assert listed["pagination"] == {"page": 1, "perPage": 20, "total": 3, "totalPages": 1}
    rows = listed["data"]
    newest_first = [answer.headers["X-Request-Id"] for answer in reversed(answers)]
    assert [row["requestId"] for row in rows] == newest_first
    assert [(row["method"], row["operationId"], row["status"]) for row in rows] == [
        ("POST", "handlers.products.create_product", 400),
        ("GET", "handlers.products.get_product", 404),
        ("GET", "handlers.products.list_products", 200),
    ]
    assert all(row["keyId"] == key_id for row in rows)
    assert all(row["latencyMs"] > 0 and row["clientAddress"] == "127.0.0.1" for row in rows)
    assert [row["requestBytes"] for row in rows] == [2, 0, 0]  # the one body sent: {}
    assert all(row["responseBytes"] > 0 for row in rows)
    occurred = [datetime.fromisoformat(row["occurredAt"]) for row in rows]
    assert occurred == sorted(occurred, reverse=True)
    assert occurred[0].date() == utcnow().date()
    # The 404's id is the one its error body quoted.
    assert rows[1]["requestId"] == answers[1].json()["error"]["requestId"]


def test_the_log_filters_by_outcome_status_and_page(server):
    reader, key_id, answers, reader_id = make_traffic(server)
    once_listed(reader, key_id, 3)
    ids = [answer.headers["X-Request-Id"] for answer in answers]

    def listed_ids(**params) -> list[str]:
        return [row["requestId"] for row in request_log(reader, keyId=key_id, **params)["data"]]

    assert listed_ids(outcome="error") == [ids[2], ids[1]]
    assert listed_ids(outcome="success") == [ids[0]]
    assert listed_ids(status="404,200") == [ids[1], ids[0]]
    assert listed_ids(status="404", outcome="success") == []
    today = utcnow().date().isoformat()
    assert listed_ids(**{"from": today, "to": today}) == list(reversed(ids))
    assert listed_ids(**{"from": "2020-01-01", "to": "2020-01-31"}) == []

    second = request_log(reader, keyId=key_id, page=2, perPage=1)
    assert second["pagination"] == {"page": 2, "perPage": 1, "total": 3, "totalPages": 3}
    assert [row["requestId"] for row in second["data"]] == [ids[1]]

    # Without the key filter: the organization's requests, of its two keys (the reader's
    # own calls among them once written).
    everything = request_log(reader, perPage=100)
    credentials = {row["keyId"] for row in everything["data"]}
    assert key_id in credentials and credentials <= {key_id, reader_id}


def test_the_log_is_the_callers_organization_only(server, other_tenant):
    reader, key_id, answers, reader_id = make_traffic(server)
    once_listed(reader, key_id, 3)
    stranger = BaseUrlSession(server.url, other_tenant.auth)
    assert request_log(stranger, keyId=key_id)["pagination"]["total"] == 0
    theirs = {row["requestId"] for row in request_log(stranger, perPage=100)["data"]}
    assert theirs.isdisjoint(answer.headers["X-Request-Id"] for answer in answers)


def test_rate_limit_rejections_are_counted_per_day_and_listed(server):
    tenant = server.new_tenant("Rejections")
    admin = BaseUrlSession(server.url, tenant.auth)
    created = admin.post("/api/v1/api-keys", json={"name": "Tiny", "rateLimit": 2})
    assert created.status_code == 201, created.text
    tiny = created.json()["data"]
    session = BaseUrlSession(server.url, SignedKeyAuth(tiny["key"], tiny["secret"]))
    statuses = [session.get(PRODUCTS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]

    listed = once_listed(admin, tiny["id"], 3)
    assert [row["status"] for row in listed["data"]] == [429, 200, 200]
    rejected = request_log(admin, keyId=tiny["id"], status="429")["data"]
    assert len(rejected) == 1 and rejected[0]["operationId"] == "handlers.products.list_products"

    summary = admin.get(f"{USAGE}/summary", params={"keyId": tiny["id"]}).json()["data"]
    totals = summary["totals"]
    assert (totals["requests"], totals["errors"], totals["rateLimited"]) == (3, 1, 1)
    assert summary["days"][-1]["date"] == utcnow().date().isoformat()
    assert (summary["days"][-1]["requests"], summary["days"][-1]["rateLimited"]) == (3, 1)
    assert all(day["rateLimited"] == 0 for day in summary["days"][:-1])
    assert {"status": 429, "count": 1} in summary["byStatus"]
    # The organization's summary holds the rejection too; the admin key's own has none.
    assert admin.get(f"{USAGE}/summary").json()["data"]["totals"]["rateLimited"] == 1
    own = admin.get(f"{USAGE}/summary", params={"keyId": tenant.key_id}).json()["data"]
    assert own["totals"]["rateLimited"] == 0


def test_a_person_reads_the_log_of_their_organization(people_server):
    visitor = BaseUrlSession(people_server.url, None)
    person = verified_person(people_server, visitor, "request-log")
    session = as_bearer(people_server, person.tokens(visitor)["access_token"])
    made = session.get(f"{AUTH}/me")
    assert made.status_code == 200
    user_id = made.json()["data"]["id"]

    listed = once_listed(session, user_id, 1)
    assert made.headers["X-Request-Id"] in {row["requestId"] for row in listed["data"]}
    assert all(row["keyId"] == user_id for row in listed["data"])


def test_bad_filters_and_missing_scopes_are_refused(server, tenant):
    api = BaseUrlSession(server.url, tenant.auth)
    details = assert_error(
        api.get(f"{USAGE}/requests", params={"outcome": "maybe", "status": "99"}),
        400,
        "VALIDATION_ERROR",
    )["details"]
    assert set(details) == {"query.outcome", "query.status"}
    assert_error(
        api.get(f"{USAGE}/requests", params={"from": "2024-02-01", "to": "2024-01-01"}),
        422,
        "UNPROCESSABLE",
    )
    narrow = issue_key(server, tenant.organization_id, scopes=["products:read"])
    refused = BaseUrlSession(server.url, narrow.auth).get(f"{USAGE}/requests")
    assert "usage:read" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
