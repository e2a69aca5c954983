"""gatehouse.usage.UsageRecorder on a real database: counts add up across recorders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gatehouse.usage import UsageRecorder
from storage import Database, UnitOfWork
from storage.migrate import upgrade
from tests.support.services import fresh_postgres_database

DAY_ONE = datetime(2024, 1, 1, 23, 59, tzinfo=UTC)
DAY_TWO = datetime(2024, 1, 2, 0, 0, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'usage.db'}", pool_size=1)
        yield database
        database.dispose()
        return
    with fresh_postgres_database() as url:
        database = Database(url, pool_size=2)
        yield database
        database.dispose()


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def stored(database: Database, credential_id: str) -> dict[date, tuple[int, int]]:
    with UnitOfWork(database.session_factory) as uow:
        days = uow.usage.days(credential_id, date(2024, 1, 1), date(2024, 1, 31))
        return {day: (counts["requests"], counts["errors"]) for day, counts in days.items()}


def test_two_recorders_add_up_per_credential_and_utc_day(database):
    upgrade(database)
    clock = Clock(DAY_ONE)
    first, second = UsageRecorder(database, clock=clock), UsageRecorder(database, clock=clock)
    for status in (200, 201, 404):
        first.record("key_a", status)
    second.record("key_a", 500)
    second.record("key_b", 200)
    first.flush()
    second.flush()
    clock.moment = DAY_TWO
    first.record("key_a", 401)
    first.flush()
    first.record("key_a", 200)
    first.flush()

    assert stored(database, "key_a") == {date(2024, 1, 1): (4, 2), date(2024, 1, 2): (2, 1)}
    assert stored(database, "key_b") == {date(2024, 1, 1): (1, 0)}


def test_a_failed_flush_keeps_its_counts_for_the_next(database):
    upgrade(database, "0004")  # no usage table yet: the write fails
    recorder = UsageRecorder(database, clock=Clock(DAY_ONE))
    recorder.record("key_a", 200)
    recorder.flush()
    recorder.record("key_a", 400)

    upgrade(database)
    recorder.flush()

    assert stored(database, "key_a") == {date(2024, 1, 1): (2, 1)}


def test_stop_writes_what_is_pending(database):
    upgrade(database)
    recorder = UsageRecorder(database, interval_seconds=3600, clock=Clock(DAY_ONE))
    recorder.start()
    recorder.record("key_a", 200)
    recorder.stop()
    assert stored(database, "key_a") == {date(2024, 1, 1): (1, 0)}
