"""Orders racing for the last units, across two API processes on one PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.api import BaseUrlSession
from tests.support.commerce import store_fixture  # noqa: F401  (the `store` fixture)
from tests.support.orders import ORDERS, order_body, stocked
from tests.support.server import LiveServer


@pytest.fixture
def second_process(server, backend, tmp_path):
    if backend != "postgres":
        pytest.skip("SQLite has one writer at a time; the race that matters is PostgreSQL's")
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    live = LiveServer(env, tmp_path / "second.log").start()
    yield live
    live.stop()


def test_fifty_orders_for_ten_units_make_ten_orders(
    api, store, prefix, server, tenant, second_process
):
    sku = f"{prefix}-LAST"
    product = stocked(api, store, sku, on_hand=10)
    customer = store.customer()
    sessions = [
        BaseUrlSession(server.url, tenant.auth),
        BaseUrlSession(second_process.url, tenant.auth),
    ]
    body = order_body(customer, (product, 1))
    orders_before = store.order_count()

    def attempt(n: int) -> int:
        return sessions[n % 2].post(ORDERS, json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(attempt, range(50)))

    assert sorted(statuses) == [201] * 10 + [409] * 40
    assert store.levels(sku) == (10, 10)
    assert store.order_count() == orders_before + 10
    created = [
        e for e in store.events(event_type="order.created") if e.data["customerId"] == customer
    ]
    assert len(created) == 10  # one event per order, none for the refused ones
    listed = api.get(ORDERS, params={"customerId": customer, "perPage": 100}).json()
    assert listed["pagination"]["total"] == 10
