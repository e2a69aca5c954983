"""storage.idempotency on a real database (SQLite and PostgreSQL): who gets a key, when."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from storage import UnitOfWork
from storage.clock import utcnow
from storage.idempotency import InProgress, KeyScope, Mismatch, Proceed, Replay, claim
from storage.ids import new_id
from tests.support.records import database_of

TTL = timedelta(hours=24)
LOCK = timedelta(seconds=60)


@pytest.fixture
def database(server):
    with database_of(server) as database:
        yield database


@pytest.fixture
def scope() -> KeyScope:
    return KeyScope(new_id("key"), new_id("org"), "test", "order-42")


def claim_at(database, scope, fingerprint: str, now=None):
    return claim(
        database.session_factory,
        scope,
        fingerprint,
        now=now or utcnow(),
        ttl=TTL,
        lock_timeout=LOCK,
    )


def complete(database, scope, held: Proceed, body: str = "sealed") -> bool:
    with UnitOfWork(database.session_factory) as uow:
        done = uow.idempotency.complete(
            scope, held.locked_at, 201, {"content-type": "application/json"}, body
        )
        uow.commit()
    return done


def release(database, scope, held: Proceed) -> bool:
    with UnitOfWork(database.session_factory) as uow:
        done = uow.idempotency.release(scope, held.locked_at)
        uow.commit()
    return done


def test_the_first_claim_runs_and_repeats_wait_or_mismatch(database, scope):
    held = claim_at(database, scope, "a" * 64)

    assert isinstance(held, Proceed)
    assert isinstance(claim_at(database, scope, "a" * 64), InProgress)
    assert isinstance(claim_at(database, scope, "b" * 64), Mismatch)
    assert complete(database, scope, held)
    replay = claim_at(database, scope, "a" * 64)
    assert replay == Replay(201, {"content-type": "application/json"}, "sealed")
    assert isinstance(claim_at(database, scope, "b" * 64), Mismatch)


def test_keys_are_scoped_by_credential_organization_and_mode(database, scope):
    assert isinstance(claim_at(database, scope, "a" * 64), Proceed)
    for other in (
        KeyScope(new_id("key"), scope.organization_id, scope.mode, scope.key),
        KeyScope(scope.credential_id, new_id("org"), scope.mode, scope.key),
        KeyScope(scope.credential_id, scope.organization_id, "live", scope.key),
        KeyScope(scope.credential_id, scope.organization_id, scope.mode, "another"),
    ):
        assert isinstance(claim_at(database, other, "a" * 64), Proceed), other


def test_a_released_key_is_free_again(database, scope):
    held = claim_at(database, scope, "a" * 64)
    assert release(database, scope, held)

    assert isinstance(claim_at(database, scope, "b" * 64), Proceed)


def test_a_stale_lock_is_taken_over_and_the_old_holder_can_no_longer_write(database, scope):
    started = utcnow() - timedelta(seconds=61)
    stale = claim_at(database, scope, "a" * 64, now=started)

    taken = claim_at(database, scope, "a" * 64)

    assert isinstance(taken, Proceed) and taken.locked_at > stale.locked_at
    # The presumed-dead holder finishes after all: it must not overwrite nor free the key.
    assert not complete(database, scope, stale, body="late")
    assert not release(database, scope, stale)
    assert isinstance(claim_at(database, scope, "a" * 64), InProgress)
    assert complete(database, scope, taken, body="winner")
    assert claim_at(database, scope, "a" * 64).body_ciphertext == "winner"


def test_a_lock_within_the_timeout_is_not_taken(database, scope):
    claim_at(database, scope, "a" * 64, now=utcnow() - timedelta(seconds=59))

    assert isinstance(claim_at(database, scope, "a" * 64), InProgress)


def test_an_expired_key_is_replaced(database, scope):
    old = claim_at(database, scope, "a" * 64, now=utcnow() - TTL - timedelta(seconds=1))
    assert complete(database, scope, old)

    fresh = claim_at(database, scope, "b" * 64)

    assert isinstance(fresh, Proceed)
    with UnitOfWork(database.session_factory) as uow:
        record = uow.idempotency.get(scope)
        assert (record.fingerprint, record.state) == ("b" * 64, "in_progress")
        assert record.expires_at == fresh.locked_at + TTL


def test_concurrent_claims_of_one_key_have_one_winner(database, scope):
    contenders = 8
    start = threading.Barrier(contenders)
    outcomes = []

    def contend() -> None:
        start.wait()
        outcomes.append(claim_at(database, scope, "a" * 64))

    threads = [threading.Thread(target=contend) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == contenders
    assert sum(isinstance(o, Proceed) for o in outcomes) == 1
    assert sum(isinstance(o, InProgress) for o in outcomes) == contenders - 1


def test_purge_deletes_only_expired_keys_in_batches(database):
    now = utcnow()
    credential, org = new_id("key"), new_id("org")
    with UnitOfWork(database.session_factory) as uow:
        for index in range(3):
            expired = KeyScope(credential, org, "test", f"old-{index}")
            uow.idempotency.insert(expired, "a" * 64, now - TTL - timedelta(minutes=1), TTL)
        live = KeyScope(credential, org, "test", "live")
        uow.idempotency.insert(live, "a" * 64, now, TTL)
        uow.commit()

    with UnitOfWork(database.session_factory) as uow:
        first = uow.idempotency.purge_expired(now, limit=2)
        rest = uow.idempotency.purge_expired(now)
        uow.commit()
        assert uow.idempotency.get(live) is not None

    # Other tests' expired rows may go too; ours are gone, two of them in the batch.
    assert first == 2 and rest >= 1
    with UnitOfWork(database.session_factory) as uow:
        for index in range(3):
            assert uow.idempotency.get(KeyScope(credential, org, "test", f"old-{index}")) is None
