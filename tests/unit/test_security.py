"""gatehouse.security: the request target that is signed, and the timestamp checks."""

from __future__ import annotations

import time

import pytest
from connexion.exceptions import OAuthProblem

from gatehouse.security import Authenticator, SignedRequest, request_target


@pytest.mark.parametrize(
    "scope, target",
    [
        ({"path": "/api/v1/products", "raw_path": b"/api/v1/products"}, "/api/v1/products"),
        (
            {
                "path": "/api/v1/products",
                "raw_path": b"/api/v1/products",
                "query_string": b"page=2",
            },
            "/api/v1/products?page=2",
        ),
        # Exactly as sent: percent-encoding and parameter order are kept.
        (
            {
                "path": "/api/v1/products",
                "raw_path": b"/api/v1/products",
                "query_string": b"q=a%20b&page=1",
            },
            "/api/v1/products?q=a%20b&page=1",
        ),
        ({"path": "/a b", "raw_path": b"/a%20b"}, "/a%20b"),
        # Servers that give no raw_path: the decoded path is all there is.
        ({"path": "/api/v1/products", "query_string": b""}, "/api/v1/products"),
    ],
)
def test_request_target(scope, target):
    assert request_target(scope) == target


def refusal(timestamp: str | None) -> str:
    """The message for a request whose timestamp alone is at fault (checked before any I/O)."""
    authenticator = Authenticator(database=None, keyring=None, tolerance_seconds=300)
    request = SignedRequest("ak_test_x", timestamp, "sha256=0", "GET", "/api/v1/products", b"")
    with pytest.raises(OAuthProblem) as raised:
        authenticator.authenticate(request)
    return raised.value.detail


@pytest.mark.parametrize("timestamp", ["", None])
def test_missing_timestamp(timestamp):
    assert refusal(timestamp) == "The X-Timestamp header is missing."


@pytest.mark.parametrize("timestamp", ["soon", "-5", "1.5", " 17", "\u00b2", "\u0661\u0662"])
def test_timestamp_must_be_ascii_unix_seconds(timestamp):
    assert refusal(timestamp) == "The X-Timestamp header must be unix seconds."


@pytest.mark.parametrize("offset", [-301, 301, -(10**6)])
def test_timestamp_outside_the_window(offset):
    assert "at most 300 s is accepted" in refusal(str(int(time.time()) + offset))
