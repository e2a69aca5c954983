"""What every list and read shares: sorting pairs, RFC 3339 filters, field selection."""

from __future__ import annotations

from datetime import datetime

DEFAULT_SORT = (("createdAt", "desc"),)


def sort_order(sort: list[str] | None, order: list[str] | None) -> tuple[tuple[str, str], ...]:
    """Pair `sort` fields with `order` directions by position (ascending when absent);
    without `sort`, the first direction applies to createdAt."""
    if not sort and not order:
        return DEFAULT_SORT
    fields = sort or [DEFAULT_SORT[0][0]]
    directions = order or []
    return tuple(
        (field, directions[i] if i < len(directions) else "asc") for i, field in enumerate(fields)
    )


def instant(value: str | None) -> datetime | None:
    # RFC 3339 allows a lower-case `t` and `z`, which fromisoformat() refuses.
    return datetime.fromisoformat(value.upper()) if value else None


def select_fields(shown: dict, fields: list[str] | None) -> dict:
    """Only the properties `fields` names, and always `id`."""
    if not fields:
        return shown
    wanted = {"id", *fields}
    return {name: value for name, value in shown.items() if name in wanted}
