"""Which event types an endpoint's filter list selects: exact types, `resource.*` and `*`."""

from __future__ import annotations


def matches(filters: list[str], event_type: str) -> bool:
    resource = event_type.split(".", 1)[0]
    return any(f == "*" or f == event_type or f == f"{resource}.*" for f in filters)
