"""OAuth clients: registering them and their secrets, which are stored as hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import MODES, SCOPES
from storage.models import OAuthClient
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class IssuedClient:
    """A client as registered or rotated: the only moment its secret exists in clear."""

    record: OAuthClient
    secret: str


def hash_secret(secret: str) -> str:
    # Secrets are 256 random bits: a fast hash leaves a stolen table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_client(
    uow: UnitOfWork,
    organization_id: str,
    *,
    name: str,
    mode: str = "test",
    scopes: tuple[str, ...] | list[str] = SCOPES,
) -> IssuedClient:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    secret = _secret()
    record = OAuthClient(
        id=new_id("cli"),
        organization_id=organization_id,
        name=name,
        secret_hash=hash_secret(secret),
        mode=mode,
        status="active",
        # Catalogue order, so a client's scopes read the same however they were asked for.
        scopes=[scope for scope in SCOPES if scope in set(scopes)],
        created_at=utcnow(),
    )
    uow.oauth_clients.add(record)
    return IssuedClient(record=record, secret=secret)


def new_client_secret(client: OAuthClient) -> str:
    """Replace the client's secret; the old one stops working at once."""
    secret = _secret()
    client.secret_hash = hash_secret(secret)
    return secret


def _secret() -> str:
    return f"cs_{secrets.token_urlsafe(32)}"
