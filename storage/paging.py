"""The pagination helpers: v1's numbered pages (count, then one page) and v2's keyset
slices (after an id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.per_page)


def paginate(session: Session, statement: Select, *, page: int, per_page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(rows), page=page, per_page=per_page, total=total or 0)


@dataclass(frozen=True)
class Slice(Generic[T]):
    """Up to `limit` items after a position, newest first, and whether more follow."""

    items: list[T]
    has_more: bool


def slice_after(
    session: Session, statement: Select, id_column, *, after: str | None, limit: int
) -> Slice:
    """Keyset pagination on the ULID id, newest first: each page starts strictly
    after the last id seen, so rows inserted meanwhile (newer ids) never shift
    what is left to read, and no row is skipped or read twice."""
    if after is not None:
        statement = statement.where(id_column < after)
    rows = session.scalars(statement.order_by(None).order_by(id_column.desc()).limit(limit + 1))
    items = list(rows.all())
    return Slice(items=items[:limit], has_more=len(items) > limit)
