"""v2's list cursors: opaque to clients, validated on the way back in.

A cursor is the id of the last item of a page (a prefixed ULID), base64url
encoded. Coming back it must decode to an id of the listed kind, or the request
is refused (400): a cursor cannot carry anything else. One edited into another
valid id only moves where the caller's own list resumes; partitions still apply.
"""

from __future__ import annotations

import base64
import binascii
import re

from handlers.errors import BadRequest

ULID = "[0-9A-HJKMNP-TV-Z]{26}"


def cursor_of(item_id: str) -> str:
    return base64.urlsafe_b64encode(item_id.encode()).decode().rstrip("=")


def position(cursor: str | None, prefix: str) -> str | None:
    """The id a cursor resumes after, or None for the first page."""
    if cursor is None:
        return None
    try:
        item_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        item_id = ""
    if not re.fullmatch(f"{prefix}_{ULID}", item_id):
        raise BadRequest(
            "query.cursor",
            "The cursor is not one this list gave out; start again without it.",
            "is not a cursor of this list",
        )
    return item_id
