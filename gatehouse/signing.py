"""The request signature of the API-key scheme (see DESIGN.md, "Request signing")."""

from __future__ import annotations

import hashlib
import hmac


def signing_payload(timestamp: str, method: str, target: str, body: bytes) -> bytes:
    """`{timestamp}.{METHOD}.{path?query}.{raw body}` as bytes."""
    return b".".join([timestamp.encode(), method.upper().encode(), target.encode(), body])


def sign(secret: str, timestamp: str, method: str, target: str, body: bytes = b"") -> str:
    """The `X-API-Signature` value for a request."""
    payload = signing_payload(timestamp, method, target, body)
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def signature_matches(expected: str, presented: str) -> bool:
    """Constant-time comparison, so timing reveals nothing of the right signature."""
    return hmac.compare_digest(expected.encode(), presented.encode())
