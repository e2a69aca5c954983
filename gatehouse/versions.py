"""Which API version answers a request: the one its path names (`/api/v2/...`).

Paths outside `/api/vN` (health, the OAuth protocol endpoints, the JWKS) are
version-independent and keep v1's shapes, so they answer as v1.
"""

from __future__ import annotations

import re

VERSIONED_PATH = re.compile(r"^/api/(v\d+)(/|$)")
REQUESTED = re.compile(r"^v?(\d+)$")
PROBLEM_VERSIONS = frozenset({"v2"})


def api_version(path: str) -> str:
    match = VERSIONED_PATH.match(path)
    return match.group(1) if match else "v1"


def speaks_problems(path: str) -> bool:
    """True when errors on this path are RFC 9457 problem details (v2 onwards)."""
    return api_version(path) in PROBLEM_VERSIONS


def contradiction(path: str, requested: str | None) -> str | None:
    """Why a request's `X-API-Version` header disagrees with its path, or None.

    `v2` and `2` both name v2 (exactly those: the spec's enum); a header on a
    version-independent path is ignored.
    """
    match = VERSIONED_PATH.match(path)
    if requested is None or match is None:
        return None
    wanted = REQUESTED.match(requested)
    if wanted and f"v{wanted.group(1)}" == match.group(1):
        return None
    return (
        f"The X-API-Version header asks for {requested!r}, but the path is served by "
        f"{match.group(1)}: send {match.group(1)!r} or no X-API-Version header."
    )
