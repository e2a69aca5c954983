"""Usage: per-credential daily counters (additive upserts, so several API processes add
up) and per-request records, both written in batches by gatehouse.usage; the
organization's reports read the records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Select, case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import CredentialUsageDay, UsageRecord
from storage.paging import Page, paginate

# The counters a day holds; each is added, never overwritten, on conflict.
COUNTERS = ("requests", "errors")
ERROR = UsageRecord.status >= 400
RATE_LIMITED = UsageRecord.status == 429
INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class UsageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, counts: Mapping[tuple[str, date], Mapping[str, int]]) -> None:
        """Add `{(credential_id, day): {"requests": n, "errors": m}}` to the stored counters."""
        if not counts:
            return
        rows = [
            {"credential_id": credential_id, "day": day, **values}
            for (credential_id, day), values in sorted(counts.items())
        ]
        table = CredentialUsageDay.__table__
        insert = INSERTS[self.session.get_bind().dialect.name](table).values(rows)
        # INSERT ... ON CONFLICT DO UPDATE SET requests = requests + excluded.requests:
        # one statement, atomic per row, whatever other processes write at the same time.
        self.session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.credential_id, table.c.day],
                set_={name: table.c[name] + insert.excluded[name] for name in COUNTERS},
            )
        )

    def days(self, credential_id: str, first: date, last: date) -> dict[date, dict[str, int]]:
        """The stored counters of one credential from `first` to `last` inclusive, by day."""
        columns = [CredentialUsageDay.__table__.c[name] for name in COUNTERS]
        statement = select(CredentialUsageDay.day, *columns).where(
            CredentialUsageDay.credential_id == credential_id,
            CredentialUsageDay.day >= first,
            CredentialUsageDay.day <= last,
        )
        return {
            row.day: {name: row._mapping[name] for name in COUNTERS}
            for row in self.session.execute(statement)
        }

    def add_records(self, records: list[dict]) -> None:
        """Insert a batch of request records (dicts of UsageRecord's columns) in one statement."""
        if records:
            self.session.execute(insert(UsageRecord), records)

    def prune(self, before: date) -> int:
        """Delete the records of days before `before`; how many went."""
        result = self.session.execute(delete(UsageRecord).where(UsageRecord.day < before))
        return result.rowcount or 0

    def daily(self, scope: RecordScope) -> list[dict]:
        """Requests, errors, latency and bytes per day with traffic, oldest first."""
        statement = scope.where(
            select(UsageRecord.day, *_measures())
            .group_by(UsageRecord.day)
            .order_by(UsageRecord.day)
        )
        return [dict(row._mapping) for row in self.session.execute(statement)]

    def by_status(self, scope: RecordScope, errors_only: bool = False) -> dict[int, int]:
        statement = scope.where(
            select(UsageRecord.status, func.count()).group_by(UsageRecord.status)
        )
        if errors_only:
            statement = statement.where(ERROR)
        return {status: count for status, count in self.session.execute(statement)}

    def by_operation(self, scope: RecordScope) -> list[dict]:
        """One row per (operation, method) with its measures, busiest first."""
        statement = scope.where(
            select(
                UsageRecord.operation_id,
                UsageRecord.method,
                *_measures(),
                func.max(UsageRecord.latency_ms).label("max_latency_ms"),
            )
            .group_by(UsageRecord.operation_id, UsageRecord.method)
            .order_by(func.count().desc(), UsageRecord.operation_id, UsageRecord.method)
        )
        return [dict(row._mapping) for row in self.session.execute(statement)]

    def errors_by_operation(self, scope: RecordScope) -> list[dict]:
        """One row per (operation, method, status) of the errors, most frequent first."""
        statement = scope.where(
            select(
                UsageRecord.operation_id,
                UsageRecord.method,
                UsageRecord.status,
                func.count().label("count"),
                func.max(UsageRecord.occurred_at).label("last_seen_at"),
            )
            .where(ERROR)
            .group_by(UsageRecord.operation_id, UsageRecord.method, UsageRecord.status)
            .order_by(func.count().desc(), UsageRecord.status, UsageRecord.operation_id)
        )
        return [dict(row._mapping) for row in self.session.execute(statement)]

    def requests(
        self,
        scope: RecordScope,
        *,
        outcome: str | None,
        statuses: tuple[int, ...],
        page: int,
        per_page: int,
    ) -> Page[UsageRecord]:
        """The records one by one, newest first (`outcome` "error" or "success")."""
        statement = scope.where(select(UsageRecord))
        if outcome is not None:
            statement = statement.where(ERROR if outcome == "error" else ~ERROR)
        if statuses:
            statement = statement.where(UsageRecord.status.in_(statuses))
        statement = statement.order_by(UsageRecord.occurred_at.desc(), UsageRecord.id.desc())
        return paginate(self.session, statement, page=page, per_page=per_page)


class RecordScope:
    """Which records a report covers: one organization, a range of days, maybe one credential."""

    def __init__(
        self, organization_id: str, first: date, last: date, credential_id: str | None = None
    ) -> None:
        self.organization_id = organization_id
        self.first = first
        self.last = last
        self.credential_id = credential_id

    def where(self, statement: Select) -> Select:
        statement = statement.where(
            UsageRecord.organization_id == self.organization_id,
            UsageRecord.day >= self.first,
            UsageRecord.day <= self.last,
        )
        if self.credential_id:
            statement = statement.where(UsageRecord.credential_id == self.credential_id)
        return statement


def _measures() -> list:
    return [
        func.count().label("requests"),
        func.coalesce(func.sum(case((ERROR, 1), else_=0)), 0).label("errors"),
        func.coalesce(func.sum(case((RATE_LIMITED, 1), else_=0)), 0).label("rate_limited"),
        func.avg(UsageRecord.latency_ms).label("average_latency_ms"),
        func.coalesce(func.sum(UsageRecord.request_bytes), 0).label("request_bytes"),
        func.coalesce(func.sum(UsageRecord.response_bytes), 0).label("response_bytes"),
    ]
