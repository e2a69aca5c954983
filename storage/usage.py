"""Per-credential daily counters: additive upserts, so several API processes add up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import CredentialUsageDay

# The counters a day holds; each is added, never overwritten, on conflict.
COUNTERS = ("requests", "errors")
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
