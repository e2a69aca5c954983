"""handlers.cursors and gatehouse.versions: cursors round-trip and refuse what no list gave;
the version header agrees or contradicts."""

from __future__ import annotations

import pytest
from ulid import ULID

from gatehouse.versions import contradiction, speaks_problems
from handlers.cursors import cursor_of, position
from handlers.errors import BadRequest


def test_a_cursor_round_trips_and_is_opaque():
    item_id = f"prod_{ULID()}"
    cursor = cursor_of(item_id)
    assert item_id not in cursor
    assert position(cursor, "prod") == item_id
    assert position(None, "prod") is None


@pytest.mark.parametrize(
    "cursor",
    ["", "!!!", cursor_of("prod_short"), cursor_of(f"cust_{ULID()}"), cursor_of(f"prod_{ULID()}x")],
)
def test_a_cursor_no_list_gave_is_refused(cursor):
    with pytest.raises(BadRequest) as refused:
        position(cursor, "prod")
    assert set(refused.value.details) == {"query.cursor"}


@pytest.mark.parametrize(
    "path, header, refused",
    [
        ("/api/v2/products", None, False),
        ("/api/v2/products", "v2", False),
        ("/api/v2/products", "2", False),
        ("/api/v2/products", " V2 ", True),
        ("/api/v2/products", "v1", True),
        ("/api/v1/products", "v2", True),
        ("/api/v2/products", "latest", True),
        ("/api/health", "v7", False),
        ("/.well-known/jwks.json", "v2", False),
    ],
)
def test_version_header_contradictions(path, header, refused):
    assert (contradiction(path, header) is not None) is refused


def test_problem_details_from_v2_on():
    assert speaks_problems("/api/v2/products")
    assert not speaks_problems("/api/v1/products")
    assert not speaks_problems("/api/oauth/token")
