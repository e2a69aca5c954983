"""The one id generator: prefixed, lexicographically sortable ULIDs (`prod_01J...`)."""

from ulid import ULID

PREFIXES = frozenset(
    {"org", "prod", "cust", "order", "inv", "pay", "wh", "whd", "evt", "key", "req"}
)


def new_id(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{ULID()}"
