"""OAuth clients under the same rules as keys: usage counted per client, data per mode."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.models import CredentialUsageDay
from tests.support.api import PRODUCTS, create, search
from tests.support.oauth import bearer, grant, register_client
from tests.support.records import database_of


def stored_counts(server, credential_id: str) -> tuple[int, int]:
    table = CredentialUsageDay.__table__
    statement = select(table.c.requests, table.c.errors).where(
        table.c.credential_id == credential_id
    )
    with database_of(server) as database, database.engine.connect() as connection:
        rows = connection.execute(statement).all()
    return sum(row.requests for row in rows), sum(row.errors for row in rows)


def test_a_clients_requests_count_under_its_client_id(server, api):
    client = register_client(api, scopes=["products:read"])
    as_client = bearer(server, grant(server, client)["access_token"])
    for _ in range(3):
        assert as_client.get(PRODUCTS).status_code == 200
    assert as_client.get(f"{PRODUCTS}/prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E").status_code == 404

    deadline = time.monotonic() + 30
    while stored_counts(server, client.client_id)[0] < 4 and time.monotonic() < deadline:
        time.sleep(0.2)

    assert stored_counts(server, client.client_id) == (4, 1)


def test_a_clients_refused_requests_count_as_its_errors(server, api):
    # As for keys: once the token's signature shows whose it is, a refusal counts.
    client = register_client(api, scopes=["products:read"])
    as_client = bearer(server, grant(server, client)["access_token"])
    assert as_client.get(PRODUCTS).status_code == 200
    assert as_client.post(PRODUCTS, json={}).status_code == 403  # products:write missing
    assert as_client.post("/api/v1/api-keys", json={"name": "No"}).status_code == 403

    deadline = time.monotonic() + 30
    while stored_counts(server, client.client_id)[0] < 3 and time.monotonic() < deadline:
        time.sleep(0.2)

    assert stored_counts(server, client.client_id) == (3, 2)


def test_a_live_client_sees_live_data_only(server, api, prefix):
    live = register_client(api, mode="live", scopes=["products:read", "products:write"])
    as_live = bearer(server, grant(server, live)["access_token"])
    test_product = create(api, f"{prefix}-T")
    live_product = create(as_live, f"{prefix}-L")

    assert as_live.get(f"{PRODUCTS}/{test_product['id']}").status_code == 404
    assert api.get(f"{PRODUCTS}/{live_product['id']}").status_code == 404
    assert [p["id"] for p in search(as_live, q=prefix)["data"]] == [live_product["id"]]
    assert [p["id"] for p in search(api, q=prefix)["data"]] == [test_product["id"]]
