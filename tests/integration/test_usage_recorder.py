"""gatehouse.usage.UsageRecorder on a real database: counts add up across recorders,
records are kept, and pruning keeps only the retention window."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from gatehouse.usage import RequestRecord, UsageRecorder, prune_records
from storage import Database, UnitOfWork
from storage.migrate import upgrade
from storage.models import UsageRecord

DAY_ONE = datetime(2024, 1, 1, 23, 59, tzinfo=UTC)
DAY_TWO = datetime(2024, 1, 2, 0, 0, 1, tzinfo=UTC)


@pytest.fixture
def database(empty_database):
    """Each test migrates it as far as it needs (one stops short of the usage table)."""
    return empty_database


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def answered(credential_id: str, status: int, at: datetime, org: str = "org_a") -> RequestRecord:
    return RequestRecord(
        organization_id=org,
        credential_id=credential_id,
        operation_id="handlers.products.list_products",
        method="GET",
        status=status,
        latency_ms=1.5,
        request_bytes=0,
        response_bytes=10,
        client_address="127.0.0.1",
        user_agent="tests",
        request_id="req_1",
        occurred_at=at,
    )


def record_days(database: Database) -> list[date]:
    with UnitOfWork(database.session_factory) as uow:
        return sorted(uow.session.scalars(select(UsageRecord.day)).all())


def stored(database: Database, credential_id: str) -> dict[date, tuple[int, int]]:
    with UnitOfWork(database.session_factory) as uow:
        days = uow.usage.days(credential_id, date(2024, 1, 1), date(2024, 1, 31))
        return {day: (counts["requests"], counts["errors"]) for day, counts in days.items()}


def test_two_recorders_add_up_per_credential_and_utc_day(database):
    upgrade(database)
    clock = Clock(DAY_ONE)
    first, second = UsageRecorder(database, clock=clock), UsageRecorder(database, clock=clock)
    for status in (200, 201, 404):
        first.record(answered("key_a", status, clock()))
    second.record(answered("key_a", 500, clock()))
    second.record(answered("key_b", 200, clock()))
    first.flush()
    second.flush()
    clock.moment = DAY_TWO
    first.record(answered("key_a", 401, clock()))
    first.flush()
    first.record(answered("key_a", 200, clock()))
    first.flush()

    assert stored(database, "key_a") == {date(2024, 1, 1): (4, 2), date(2024, 1, 2): (2, 1)}
    assert stored(database, "key_b") == {date(2024, 1, 1): (1, 0)}
    assert record_days(database) == [date(2024, 1, 1)] * 5 + [date(2024, 1, 2)] * 2


def test_a_failed_flush_keeps_its_counts_for_the_next(database):
    upgrade(database, "0004")  # no usage table yet: the write fails
    clock = Clock(DAY_ONE)
    recorder = UsageRecorder(database, clock=clock)
    recorder.record(answered("key_a", 200, clock()))
    recorder.flush()
    recorder.record(answered("key_a", 400, clock()))

    upgrade(database)
    recorder.flush()

    assert stored(database, "key_a") == {date(2024, 1, 1): (2, 1)}
    assert record_days(database) == [date(2024, 1, 1)] * 2


def test_stop_writes_what_is_pending(database):
    upgrade(database)
    clock = Clock(DAY_ONE)
    recorder = UsageRecorder(database, interval_seconds=3600, clock=clock)
    recorder.start()
    recorder.record(answered("key_a", 200, clock()))
    recorder.stop()
    assert stored(database, "key_a") == {date(2024, 1, 1): (1, 0)}


def test_pruning_keeps_the_retention_window_only(database):
    upgrade(database)
    recorder = UsageRecorder(
        database, retention_days=2, clock=Clock(datetime(2024, 1, 3, tzinfo=UTC))
    )
    for day in (1, 2, 3):
        recorder.record(answered("key_a", 200, datetime(2024, 1, day, 12, tzinfo=UTC)))
    recorder.flush()

    assert recorder.prune() == 1
    assert record_days(database) == [date(2024, 1, 2), date(2024, 1, 3)]
    assert prune_records(database, 1, date(2024, 1, 3)) == 1
    assert record_days(database) == [date(2024, 1, 3)]
    # The daily counters are the keys' usage (GET /api-keys/{keyId}/usage): pruning keeps them.
    assert stored(database, "key_a") == {date(2024, 1, d): (1, 0) for d in (1, 2, 3)}
