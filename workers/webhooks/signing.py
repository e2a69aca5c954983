"""Webhook secrets, bodies and signatures (Standard Webhooks, and X-Webhook-Signature).

- `webhook-signature`: `v1,<base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")>`,
  the key being the base64-decoded part of the secret after `whsec_`; one entry
  per signing secret, space-separated (two during a rotation's grace period).
- `X-Webhook-Signature`: `sha256=<hex HMAC-SHA256(secret, body)>`, keyed with the
  whole `whsec_...` string as UTF-8; likewise one entry per signing secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from importlib.metadata import PackageNotFoundError, version
from typing import Any

PREFIX = "whsec_"
SECRET_BYTES = 24
MASK = "***"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_problem(secret: str) -> str | None:
    """Why a supplied secret is unusable, or None."""
    if not secret.startswith(PREFIX):
        return "must start with whsec_"
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return "must be whsec_ followed by base64"
    if len(key) < SECRET_BYTES:
        return f"must hold at least {SECRET_BYTES} random bytes"
    return None


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret[len(PREFIX) :])
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def body_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def user_agent() -> str:
    try:
        return f"Gatehouse-Webhooks/{version('gatehouse')}"
    except PackageNotFoundError:  # running from a tree that is not installed
        return "Gatehouse-Webhooks/0"


def headers(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt, signed with every secret that signs now (newest first)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": user_agent(),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(s, message_id, timestamp, body) for s in secrets_
        ),
        "X-Webhook-Signature": " ".join(body_signature(s, body) for s in secrets_),
    }


def masked(sent: dict[str, str]) -> dict[str, str]:
    """The headers as the attempt log shows them: signatures masked, never stored."""
    shown = dict(sent)
    shown["webhook-signature"] = " ".join(
        "v1," + MASK for _ in sent.get("webhook-signature", "").split()
    )
    shown["X-Webhook-Signature"] = " ".join(
        "sha256=" + MASK for _ in sent.get("X-Webhook-Signature", "").split()
    )
    return shown
