"""The SignedApiKey security scheme: key lookup, key state, timestamp window, HMAC.

Connexion calls `verify_signed_api_key` for every operation whose security
names the scheme (x-apikeyInfoFunc in the spec). It cannot read the body
itself, so BodyBufferMiddleware hands over the raw bytes in the ASGI scope.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

import anyio
from connexion.exceptions import OAuthProblem

from gatehouse.client_address import client_address_of, parse_address, within
from gatehouse.context import current_services
from gatehouse.credentials import LastUsedRecorder
from gatehouse.errors import ApiError
from gatehouse.signing import sign, signature_matches
from gatehouse.usage import attribute
from storage import Database, UnitOfWork
from storage.clock import rfc3339, utcnow
from storage.keys import Keyring, hash_key

RAW_BODY_KEY = "gatehouse.raw_body"


@dataclass(frozen=True)
class SignedRequest:
    key: str
    timestamp: str | None
    signature: str | None
    method: str
    target: str
    body: bytes
    client_ip: str | None = None


class Authenticator:
    def __init__(self, database: Database, keyring: Keyring, tolerance_seconds: int) -> None:
        self.database = database
        self.keyring = keyring
        self.tolerance = tolerance_seconds
        self.last_used = LastUsedRecorder()

    def authenticate(self, request: SignedRequest) -> dict:
        """The principal (RFC 7662-style) for a correctly signed request, or OAuthProblem."""
        timestamp = _checked_timestamp(request.timestamp, self.tolerance)
        with UnitOfWork(self.database.session_factory) as uow:
            record = uow.api_keys.get_by_hash(hash_key(request.key))
            if record is None:
                raise OAuthProblem(detail="The API key is not recognised.")
            attribute(
                record.id, record.organization_id
            )  # from here on, even a refusal counts in the key's usage
            if record.status != "active":
                raise OAuthProblem(detail="The API key has been revoked.")
            now = utcnow()
            if record.expires_at is not None and record.expires_at <= now:
                raise OAuthProblem(detail=f"The API key expired at {rfc3339(record.expires_at)}.")
            if not request.signature:
                raise OAuthProblem(detail="The X-API-Signature header is missing.")
            secret = self.keyring.secret_of(record)
            expected = sign(secret, timestamp, request.method, request.target, request.body)
            if not signature_matches(expected, request.signature):
                raise OAuthProblem(detail="The X-API-Signature does not match the request.")
            # Only after the signature: an address check must not reveal which keys exist.
            if not address_allowed(request.client_ip, record.ip_allowlist):
                raise ApiError(403, "This key is not allowed from this address.")
            if self.last_used.due(record.id):
                self.last_used.record(uow, record.id, now)
                uow.commit()
            return {
                "sub": record.organization_id,
                "org": record.organization_id,
                "kind": "api_key",
                "key_id": record.id,
                "mode": record.mode,
                "tier": record.tier,
                "rate_limit": record.rate_limit_per_hour,
                "scope": list(record.scopes),
            }


def _checked_timestamp(value: str | None, tolerance: int) -> str:
    if not value:
        raise OAuthProblem(detail="The X-Timestamp header is missing.")
    # isdigit() alone admits '²' and other Unicode digits that int() then rejects.
    if not (value.isascii() and value.isdigit()):
        raise OAuthProblem(detail="The X-Timestamp header must be unix seconds.")
    skew = abs(int(value) - int(time.time()))
    if skew > tolerance:
        raise OAuthProblem(
            detail=f"The X-Timestamp is {skew} s away from the server's clock; "
            f"at most {tolerance} s is accepted."
        )
    return value


def address_allowed(client_ip: str | None, allowlist: list[str] | None) -> bool:
    if not allowlist:
        return True
    address = parse_address(client_ip)
    if address is None:
        return False
    return within(address, (ipaddress.ip_network(cidr, strict=False) for cidr in allowlist))


def missing_scopes(required: list[str] | None, granted: list[str]) -> list[str]:
    return [scope for scope in required or () if scope not in granted]


def require_scopes(required: list[str] | None, granted: list[str], *, holder: str) -> None:
    """403 naming every scope the operation requires that the credential lacks."""
    missing = missing_scopes(required, granted)
    if missing:
        noun = "scope" if len(missing) == 1 else "scopes"
        raise ApiError(403, f"This {holder} lacks the {noun} {', '.join(missing)}.")


def request_target(scope) -> str:
    """The path and query exactly as the client sent them."""
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    target = path.decode("latin-1")
    return f"{target}?{query.decode('latin-1')}" if query else target


async def verify_signed_api_key(apikey: str, request, required_scopes=None) -> dict:
    """x-apikeyInfoFunc of SignedApiKey: authenticate, then check the operation's scopes.

    Connexion hands over the scopes listed in the operation's security
    requirement, so the spec is the one place that says who may call what.
    """
    scope = request.scope
    services = current_services()
    signed = SignedRequest(
        key=apikey,
        timestamp=request.headers.get("X-Timestamp"),
        signature=request.headers.get("X-API-Signature"),
        method=scope["method"],
        target=request_target(scope),
        body=scope.get(RAW_BODY_KEY, b""),
        # The socket's peer; X-Forwarded-For only when that peer is a trusted proxy.
        client_ip=client_address_of(scope, services.settings.trusted_proxies),
    )
    authenticator: Authenticator = services.authenticator
    # The lookup is blocking database I/O: keep it off the event loop.
    principal = await anyio.to_thread.run_sync(authenticator.authenticate, signed)
    require_scopes(required_scopes, principal["scope"], holder="key")
    return principal
