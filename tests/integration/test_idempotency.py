"""Idempotency-Key on POST against a live server: one execution, the same answer replayed."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from gatehouse.idempotency import fingerprint
from storage import UnitOfWork
from storage.clock import utcnow
from storage.idempotency import KeyScope
from storage.ids import new_id
from storage.models import IdempotencyRecord, Product
from tests.support.api import (
    PRODUCTS,
    BaseUrlSession,
    assert_error,
    assert_not_stored,
    product_body,
    search,
)
from tests.support.cli import run_cli
from tests.support.oauth import CLIENTS, bearer, grant, register_client
from tests.support.records import database_of
from tests.support.signing import SignedKeyAuth

KEYS = "/api/v1/api-keys"
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def new_key() -> str:
    return str(uuid.uuid4())


def post(api, path: str, body: dict, key: str):
    # Sent as bytes we made, so a test can fingerprint exactly what the server saw.
    return api.post(
        path, data=encode(body), headers={HEADER: key, "Content-Type": "application/json"}
    )


def encode(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def stored_rows(server, key: str) -> list[dict]:
    table = IdempotencyRecord.__table__
    with database_of(server) as database, database.engine.connect() as connection:
        statement = select(table).where(table.c.idempotency_key == key)
        return [dict(row) for row in connection.execute(statement).mappings()]


def change_rows(server, key: str, **values) -> None:
    with database_of(server) as database, database.engine.begin() as connection:
        connection.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.idempotency_key == key)
            .values(**values)
        )


def test_a_retried_create_makes_one_product_and_replays_the_first_answer(api, server, prefix):
    key, body = new_key(), product_body(f"{prefix}-ONE")

    first = post(api, PRODUCTS, body, key)
    again = post(api, PRODUCTS, body, key)

    assert first.status_code == 201, first.text
    assert REPLAYED not in first.headers
    assert again.status_code == 201, again.text
    assert again.headers[REPLAYED] == "true"
    assert again.content == first.content  # the same id, timestamps and requestId
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    # Headers that belong to the request answering are its own.
    assert again.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert again.headers["X-API-Version"] == "v1"
    listed = search(api, q=f"{prefix}-ONE")
    assert [item["id"] for item in listed["data"]] == [first.json()["data"]["id"]]
    [row] = stored_rows(server, key)
    assert (row["state"], row["status_code"]) == ("completed", 201)
    assert row["expires_at"] - row["created_at"] == timedelta(hours=24)


def test_the_same_key_with_another_request_is_unprocessable(api, prefix):
    key = new_key()
    assert post(api, PRODUCTS, product_body(f"{prefix}-A"), key).status_code == 201

    other_body = post(api, PRODUCTS, product_body(f"{prefix}-B"), key)
    other_path = post(api, KEYS, {"name": "Reused key"}, key)

    for response in (other_body, other_path):
        error = assert_error(response, 422, "UNPROCESSABLE")
        assert "Idempotency-Key" in error["message"]
        assert set(error["details"]) == {"header.Idempotency-Key"}
        assert REPLAYED not in response.headers
    assert_not_stored(api, f"{prefix}-B")


def test_keys_are_separate_per_credential(
    server, api, other_api, fresh_key, tenant, other_tenant, prefix
):
    key, body = new_key(), product_body(f"{prefix}-SHARED")
    created = post(api, PRODUCTS, body, key)
    # Another organization's key: the same key and body are another request.
    elsewhere = post(other_api, PRODUCTS, body, key)
    # Another key of the same organization: a different body is no mismatch.
    sibling = BaseUrlSession(server.url, fresh_key.auth)
    beside = post(sibling, PRODUCTS, product_body(f"{prefix}-SIBLING"), key)
    # An OAuth client's Bearer token of the same organization, likewise.
    client = register_client(api, scopes=["products:write", "products:read"])
    token = grant(server, client)["access_token"]
    by_client = post(bearer(server, token), PRODUCTS, product_body(f"{prefix}-CLIENT"), key)

    for response in (created, elsewhere, beside, by_client):
        assert response.status_code == 201, response.text
        assert REPLAYED not in response.headers
    ids = {r.json()["data"]["id"] for r in (created, elsewhere, beside, by_client)}
    assert len(ids) == 4
    holders = {row["credential_id"] for row in stored_rows(server, key)}
    assert holders == {tenant.key_id, other_tenant.key_id, fresh_key.key_id, client.client_id}


def test_a_request_still_in_progress_is_a_conflict_until_its_lock_times_out(
    server, api, tenant, prefix
):
    key, body = new_key(), product_body(f"{prefix}-BUSY")
    scope = KeyScope(tenant.key_id, tenant.organization_id, "test", key)
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        # As a first request running in another process would have left it.
        assert uow.idempotency.insert(
            scope, fingerprint("POST", PRODUCTS, encode(body)), utcnow(), timedelta(hours=24)
        )
        uow.commit()

    busy = post(api, PRODUCTS, body, key)

    error = assert_error(busy, 409, "CONFLICT")
    assert "still being processed" in error["message"]
    assert set(error["details"]) == {"header.Idempotency-Key"}
    assert_not_stored(api, f"{prefix}-BUSY")

    # The holder died: past the lock timeout (60 s) a retry takes the key over.
    change_rows(server, key, locked_at=utcnow() - timedelta(seconds=61))
    taken = post(api, PRODUCTS, body, key)
    assert taken.status_code == 201, taken.text
    assert REPLAYED not in taken.headers
    replayed = post(api, PRODUCTS, body, key)
    assert replayed.headers[REPLAYED] == "true" and replayed.content == taken.content


def test_a_failed_first_attempt_releases_the_key_for_a_corrected_retry(api, server, prefix):
    key = new_key()
    # Refused by validation (400): no key is recorded at all.
    invalid = post(api, PRODUCTS, product_body(f"{prefix}-FIX", price="9.5"), key)
    assert_error(invalid, 400, "VALIDATION_ERROR")
    assert stored_rows(server, key) == []
    # Refused by the handler (duplicate SKU, 409): the key is released.
    assert api.post(PRODUCTS, json=product_body(f"{prefix}-TAKEN")).status_code == 201
    duplicate = post(api, PRODUCTS, product_body(f"{prefix}-TAKEN"), key)
    assert_error(duplicate, 409, "CONFLICT")
    assert stored_rows(server, key) == []

    corrected = post(api, PRODUCTS, product_body(f"{prefix}-FIX"), key)

    assert corrected.status_code == 201, corrected.text
    assert REPLAYED not in corrected.headers
    assert [row["state"] for row in stored_rows(server, key)] == ["completed"]


def test_an_expired_key_is_ignored_and_replaced(api, server, prefix):
    key = new_key()
    first = post(api, PRODUCTS, product_body(f"{prefix}-OLD"), key)
    assert first.status_code == 201, first.text
    change_rows(server, key, expires_at=utcnow() - timedelta(seconds=1))

    # Neither 422 (another body) nor a replay: the old answer is gone.
    fresh = post(api, PRODUCTS, product_body(f"{prefix}-NEW"), key)

    assert fresh.status_code == 201, fresh.text
    assert REPLAYED not in fresh.headers
    assert fresh.json()["data"]["id"] != first.json()["data"]["id"]
    [row] = stored_rows(server, key)
    assert row["expires_at"] > utcnow() + timedelta(hours=23)


def test_an_api_key_create_replays_the_same_secret_which_is_stored_sealed(api, server, prefix):
    key, body = new_key(), {"name": f"{prefix} idempotent key"}

    first = post(api, KEYS, body, key)
    again = post(api, KEYS, body, key)

    assert first.status_code == 201, first.text
    assert again.headers[REPLAYED] == "true"
    assert again.content == first.content
    created = first.json()["data"]
    named = [
        k for k in api.get(KEYS, params={"perPage": 100}).json()["data"] if prefix in k["name"]
    ]
    assert [k["id"] for k in named] == [created["id"]]
    # The replayed key is the real one: it signs requests.
    replayed = again.json()["data"]
    as_new = BaseUrlSession(server.url, SignedKeyAuth(replayed["key"], replayed["secret"]))
    assert as_new.get(PRODUCTS).status_code == 200
    [row] = stored_rows(server, key)
    stored = json.dumps(row, default=str)
    assert created["secret"] not in stored and created["key"] not in stored
    assert row["response_body_ciphertext"].startswith("gAAAAA")  # a Fernet token


def test_an_oauth_client_create_replays_the_same_client_and_secret(api, server, prefix):
    key, body = new_key(), {"name": f"{prefix} idempotent client"}

    first = post(api, CLIENTS, body, key)
    again = post(api, CLIENTS, body, key)

    assert first.status_code == 201, first.text
    assert again.headers[REPLAYED] == "true"
    assert again.content == first.content
    secret = first.json()["data"]["clientSecret"]
    listed = api.get(CLIENTS, params={"perPage": 100}).json()["data"]
    assert [c["id"] for c in listed if prefix in c["name"]] == [first.json()["data"]["id"]]
    assert secret not in json.dumps(stored_rows(server, key), default=str)


@pytest.mark.parametrize("value", ["has space", "x" * 256, "caf\u00e9"])
def test_a_malformed_key_is_a_validation_error(api, value, prefix):
    response = api.post(
        PRODUCTS,
        data=encode(product_body(f"{prefix}-BAD")),
        headers={HEADER: value.encode("utf-8"), "Content-Type": "application/json"},
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert "header.Idempotency-Key" in error["details"]
    assert_not_stored(api, f"{prefix}-BAD")


def test_purge_deletes_expired_keys_and_keeps_live_ones(api, server, prefix):
    expired, live = new_key(), new_key()
    for key, sku in ((expired, f"{prefix}-P1"), (live, f"{prefix}-P2")):
        assert post(api, PRODUCTS, product_body(sku), key).status_code == 201
    change_rows(server, expired, expires_at=utcnow() - timedelta(minutes=1))

    purged = run_cli(server, "idempotency", "purge", "--json")

    assert purged.returncode == 0, purged.stderr
    assert json.loads(purged.stdout)["deleted"] >= 1
    assert stored_rows(server, expired) == []
    assert len(stored_rows(server, live)) == 1
    again = run_cli(server, "idempotency", "purge")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Deleted ")


def test_a_concurrent_duplicate_is_a_conflict_and_one_product_is_made(
    server, api, tenant, backend, prefix
):
    """Two requests at once with one key, against the live server: the second is
    refused while the first runs, and afterwards gets the first's answer.

    The first is held deterministically inside its handler: this test inserts a
    product with the same SKU in a transaction it keeps open, so the handler's
    insert waits on the unique index. Only PostgreSQL makes a writer wait on
    another's uncommitted row; SQLite locks the whole database, which would hold
    the key's own insert too (test_a_request_still_in_progress_... covers 409
    there with a row the test inserts).
    """
    if backend != "postgres":
        pytest.skip("needs row-level waiting on a unique index (PostgreSQL)")
    key, body = new_key(), product_body(f"{prefix}-RACE")
    with database_of(server) as database, database.session() as blocker:
        now = utcnow()
        blocker.add(
            Product(
                id=new_id("prod"),
                organization_id=tenant.organization_id,
                mode="test",
                sku=body["sku"],
                name="Held by the test",
                price_minor=100,
                currency="EUR",
                status="active",
                metadata_={},
                created_at=now,
                updated_at=now,
            )
        )
        blocker.flush()  # the row exists, uncommitted: a second insert of the SKU waits
        with ThreadPoolExecutor(max_workers=1) as pool:
            first = pool.submit(post, BaseUrlSession(server.url, tenant.auth), PRODUCTS, body, key)
            wait_for(lambda: [r["state"] for r in stored_rows(server, key)] == ["in_progress"])

            second = post(api, PRODUCTS, body, key)

            error = assert_error(second, 409, "CONFLICT")
            assert "still being processed" in error["message"]
            assert not first.done()
            blocker.rollback()  # let the first request through
            first = first.result(timeout=30)
    assert first.status_code == 201, first.text
    third = post(api, PRODUCTS, body, key)
    assert third.headers[REPLAYED] == "true" and third.content == first.content
    assert [p["id"] for p in search(api, q=body["sku"])["data"]] == [first.json()["data"]["id"]]


def wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the first request never took the key"
        time.sleep(0.05)
