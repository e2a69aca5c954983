"""Concurrent reservations through the API: two Gatehouse processes on one database.

The Done-when of FR-008: on PostgreSQL, 50 concurrent reservations of 1 against
10 on hand, split across two API processes, leave exactly 10 reserved and 40
refused, and inventory.low is recorded once. SQLite (one writer at a time) is
held to the same: its writers queue for the lock, and waiting is no error.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.api import BaseUrlSession
from tests.support.inventory import INVENTORY, create_item, item_of, low_events
from tests.support.server import LiveServer

REQUESTS = 50
ON_HAND = 10
THRESHOLD = 3


@pytest.fixture(scope="module")
def twin(server, tmp_path_factory):
    """A second API process on `server`'s database and var dir (so the same keys),
    as a load balancer would have behind it."""
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    env["GATEHOUSE_VALIDATE_RESPONSES"] = "true"
    live = LiveServer(env, tmp_path_factory.mktemp("twin") / "server.log").start()
    yield live
    live.stop()


def race(urls: list[str], auth, sku: str) -> list[tuple[str, int, dict]]:
    """REQUESTS reservations of 1, released together, alternating between the processes."""
    start = threading.Barrier(REQUESTS)

    def one(n: int) -> tuple[str, int, dict]:
        url = urls[n % len(urls)]
        with BaseUrlSession(url, auth) as session:
            start.wait(timeout=30)
            response = session.patch(f"{INVENTORY}/{sku}/reserve", json={"quantity": 1}, timeout=60)
            return url, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        return list(pool.map(one, range(REQUESTS)))


def test_concurrent_reservations_across_two_processes_never_oversell(
    server, twin, tenant, api, database_url, prefix
):
    item = create_item(api, prefix, on_hand=ON_HAND, lowStockThreshold=THRESHOLD)

    answers = race([server.url, twin.url], tenant.auth, prefix)

    statuses = Counter(status for _, status, _ in answers)
    assert Counter(url for url, _, _ in answers) == {server.url: 25, twin.url: 25}
    assert set(statuses) <= {200, 409}, statuses  # no 5xx, nothing else
    final = item_of(api, prefix)
    assert final["reserved"] == statuses[200] <= ON_HAND
    assert final["available"] == ON_HAND - statuses[200] >= 0
    refused = [body["error"] for _, status, body in answers if status == 409]
    for error in refused:
        assert error["code"] == "CONFLICT"
        assert error["details"]["requested"] == "1"
        assert int(error["details"]["available"]) < 1
    # Every reservation that succeeded saw its own distinct count.
    counts = sorted(body["data"]["reserved"] for _, status, body in answers if status == 200)
    assert counts == list(range(1, statuses[200] + 1))
    assert (statuses[200], statuses[409]) == (10, 40)
    assert (final["reserved"], final["available"]) == (10, 0)
    assert len(low_events(database_url, item["id"])) == 1
