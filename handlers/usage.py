"""Usage statistics of the organization's API keys: requests and errors per UTC day.

The counting happens at the gateway (gatehouse.usage); this reads what it stored.
"""

from __future__ import annotations

from datetime import date, timedelta

from generated.models import KeyUsage
from handlers import envelope
from handlers.errors import NotFound, Unprocessable
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.usage import COUNTERS

DEFAULT_DAYS = 30
MAX_DAYS = 366


def date_range(from_: str | None, to: str | None) -> tuple[date, date]:
    """The UTC days `from` to `to` inclusive: by default the last 30, at most 366."""
    last = _day("to", to) if to else utcnow().date()
    first = _day("from", from_) if from_ else last - timedelta(days=DEFAULT_DAYS - 1)
    _check_range(first, last)
    return first, last


def get_api_key_usage(user: str, key_id: str, from_: str | None = None, to: str | None = None):
    first, last = date_range(from_, to)
    with unit_of_work() as uow:
        key = uow.api_keys.get_for(user, key_id)
        if key is None:
            raise NotFound("API key", key_id)
        last_used_at = key.last_used_at
        stored = uow.usage.days(key_id, first, last)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        counts = stored.get(day) or dict.fromkeys(COUNTERS, 0)
        days.append({"date": day.isoformat(), **counts})
    usage = KeyUsage.model_validate(
        {
            "keyId": key_id,
            "from": first,
            "to": last,
            "lastUsedAt": rfc3339(last_used_at) if last_used_at else None,
            "totals": {name: sum(day[name] for day in days) for name in COUNTERS},
            "days": days,
        }
    )
    return envelope.one(usage.model_dump(by_alias=True, mode="json"))


def _day(name: str, text: str) -> date:
    # The spec's pattern admits 2024-02-30; only the calendar can refuse it.
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Unprocessable(f"query.{name}", f"{text} is not a date.", "is not a date") from None


def _check_range(first: date, last: date) -> None:
    if first > last:
        raise Unprocessable("query.from", "from is after to.", "is after to")
    if (last - first).days + 1 > MAX_DAYS:
        raise Unprocessable(
            "query.from",
            f"The range spans more than {MAX_DAYS} days.",
            f"spans over {MAX_DAYS} days",
        )
