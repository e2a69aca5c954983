"""The one id generator: prefixed, lexicographically sortable ULIDs (`prod_01J...`)."""

from ulid import ULID

PREFIXES = frozenset(
    {"org", "prod", "cust", "order", "inv", "pay", "wh", "whd", "evt", "key", "req"}
    # OAuth and JWT (issue 3): clients, signing keys, refresh-token families and
    # tokens, access-token ids.
    | {"cli", "jwk", "rtf", "rt", "tok"}
    # People (issue 3): users.
    | {"usr"}
    # Audit log (issue 6): audit events.
    | {"aud"}
    # Support requests (issue 9).
    | {"sup"}
)


def new_id(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{ULID()}"
