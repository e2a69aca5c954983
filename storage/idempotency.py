"""Idempotency keys: who holds a key, and the answer stored for it.

`claim` decides what a request carrying a key may do: run (it holds the key
now), replay a stored answer, or be refused because the key belongs to another
request or to one still running. Every decision is one short transaction of its
own, committed before the request runs, so other processes see it; the insert
on the primary key is what picks a single winner among concurrent requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.models import IdempotencyRecord

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
# A claim retries when the row it read changed under it (deleted, taken over);
# each retry means another request made progress, so a few always suffice.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class KeyScope:
    """One key of one credential, in the organization and mode it acts in."""

    credential_id: str
    organization_id: str
    mode: str
    key: str

    def where(self) -> tuple:
        return (
            IdempotencyRecord.credential_id == self.credential_id,
            IdempotencyRecord.organization_id == self.organization_id,
            IdempotencyRecord.mode == self.mode,
            IdempotencyRecord.idempotency_key == self.key,
        )


@dataclass(frozen=True)
class Proceed:
    """The request holds the key: run it, then `complete` or `release` with this lock."""

    locked_at: datetime


@dataclass(frozen=True)
class Replay:
    status_code: int
    headers: dict[str, str]
    body_ciphertext: str


@dataclass(frozen=True)
class Mismatch:
    """The key was first used with a different request."""


@dataclass(frozen=True)
class InProgress:
    """The first request with this key has not finished yet."""


Claim = Proceed | Replay | Mismatch | InProgress


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def insert(self, scope: KeyScope, fingerprint: str, now: datetime, ttl: timedelta) -> bool:
        """Record the key as in progress; False when a row for it already exists."""
        table = IdempotencyRecord.__table__
        insert = INSERTS[self.session.get_bind().dialect.name](table).values(
            credential_id=scope.credential_id,
            organization_id=scope.organization_id,
            mode=scope.mode,
            idempotency_key=scope.key,
            fingerprint=fingerprint,
            state=IN_PROGRESS,
            created_at=now,
            expires_at=now + ttl,
            locked_at=now,
        )
        # RETURNING, not rowcount: psycopg reports no count for ON CONFLICT DO NOTHING.
        inserted = insert.on_conflict_do_nothing().returning(table.c.idempotency_key)
        return self.session.execute(inserted).first() is not None

    def get(self, scope: KeyScope) -> IdempotencyRecord | None:
        return self.session.scalar(select(IdempotencyRecord).where(*scope.where()))

    def delete_expired(self, scope: KeyScope, now: datetime) -> bool:
        statement = delete(IdempotencyRecord).where(
            *scope.where(), IdempotencyRecord.expires_at <= now
        )
        return self.session.execute(statement).rowcount == 1

    def take_over(self, scope: KeyScope, stale_lock: datetime, now: datetime) -> bool:
        """Take a key whose holder stopped; only one of several contenders gets it."""
        statement = (
            update(IdempotencyRecord)
            .where(
                *scope.where(),
                IdempotencyRecord.state == IN_PROGRESS,
                IdempotencyRecord.locked_at == stale_lock,
            )
            .values(locked_at=now)
        )
        return self.session.execute(statement).rowcount == 1

    def complete(
        self,
        scope: KeyScope,
        locked_at: datetime,
        status_code: int,
        headers: dict[str, str],
        body_ciphertext: str,
    ) -> bool:
        """Store the answer; False if the key was taken over meanwhile (the lock is not ours)."""
        statement = (
            update(IdempotencyRecord)
            .where(*self._held(scope, locked_at))
            .values(
                state=COMPLETED,
                status_code=status_code,
                response_headers=headers,
                response_body_ciphertext=body_ciphertext,
            )
        )
        return self.session.execute(statement).rowcount == 1

    def release(self, scope: KeyScope, locked_at: datetime) -> bool:
        """Forget the key (the request failed), unless another request holds it now."""
        statement = delete(IdempotencyRecord).where(*self._held(scope, locked_at))
        return self.session.execute(statement).rowcount == 1

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete expired keys, all of them or at most `limit` (a cheap slice)."""
        table = IdempotencyRecord.__table__
        expired = table.c.expires_at <= now
        if limit is None:
            return self.session.execute(delete(IdempotencyRecord).where(expired)).rowcount
        # DELETE ... LIMIT is not portable; a keyed subquery is, on both backends.
        batch = (
            select(
                table.c.credential_id,
                table.c.organization_id,
                table.c.mode,
                table.c.idempotency_key,
            )
            .where(expired)
            .limit(limit)
        )
        deleted = 0
        for row in self.session.execute(batch).all():
            deleted += self.session.execute(
                delete(IdempotencyRecord).where(
                    *KeyScope(*row).where(), IdempotencyRecord.expires_at <= now
                )
            ).rowcount
        return deleted

    @staticmethod
    def _held(scope: KeyScope, locked_at: datetime) -> tuple:
        return (
            *scope.where(),
            IdempotencyRecord.state == IN_PROGRESS,
            IdempotencyRecord.locked_at == locked_at,
        )


def claim(
    sessions: sessionmaker,
    scope: KeyScope,
    fingerprint: str,
    *,
    now: datetime,
    ttl: timedelta,
    lock_timeout: timedelta,
) -> Claim:
    """What the request with this key may do (see the module's docstring)."""
    for _ in range(MAX_ATTEMPTS):
        with sessions() as session:
            repository = IdempotencyRepository(session)
            if repository.insert(scope, fingerprint, now, ttl):
                session.commit()
                return Proceed(locked_at=now)
            record = repository.get(scope)
            if record is None:  # released between our insert and our read: try again
                continue
            if record.expires_at <= now:
                # An expired key is as good as unused: clear it and insert afresh.
                repository.delete_expired(scope, now)
                session.commit()
                continue
            if record.fingerprint != fingerprint:
                return Mismatch()
            if record.state == COMPLETED:
                return Replay(
                    status_code=record.status_code,
                    headers=dict(record.response_headers or {}),
                    body_ciphertext=record.response_body_ciphertext or "",
                )
            if record.locked_at is not None and record.locked_at > now - lock_timeout:
                return InProgress()
            if repository.take_over(scope, record.locked_at, now):
                session.commit()
                return Proceed(locked_at=now)
    # Only reachable if other requests keep changing the row faster than we read it.
    return InProgress()
