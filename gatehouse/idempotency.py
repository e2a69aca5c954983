"""`Idempotency-Key` on POST: run a request once, replay its first successful answer.

The middleware sits after Connexion's security and request validation
(MiddlewarePosition.BEFORE_CONTEXT): the principal is known, so keys are kept
per credential, and a request refused for its credentials or its shape never
records a key. It acts only on the operations whose spec declares the
`IdempotencyKey` parameter, so the contract says exactly where keys work.

A first request inserts its key as in progress (committed before the request
runs, so every process sees it), runs, and stores a 2xx answer, sealed with the
server's Fernet key since answers may hold secrets. Any other outcome deletes
the key: a refused request changed nothing, so a corrected retry may use it.
The answer is buffered and stored before it is sent, so a client never holds
an answer that a retry would not get back.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import timedelta

import anyio
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.context import current_services
from gatehouse.errors import ApiError
from gatehouse.security import RAW_BODY_KEY, request_target
from storage import UnitOfWork
from storage.clock import utcnow
from storage.idempotency import InProgress, KeyScope, Mismatch, Proceed, Replay, claim

log = structlog.get_logger("gatehouse.idempotency")

HEADER = "Idempotency-Key"
PARAMETER_REF = "#/components/parameters/IdempotencyKey"
# What the spec's pattern admits; checked again here because a key is stored.
VALID_KEY = re.compile(r"^[!-~]{1,255}$")
REPLAYED = (b"idempotent-replayed", b"true")
# The headers an answer needs to read the same when replayed. The request id
# and version are added per request by RequestContextMiddleware.
KEPT_HEADERS = frozenset({"content-type", "location", "cache-control", "pragma"})
# Expired keys are also purged on the side: a small batch, now and then.
PURGE_CHANCE = 0.01
PURGE_BATCH = 100
# The principal's claims that name a credential, in the order they are looked for.
CREDENTIAL_CLAIMS = ("key_id", "client_id", "user_id")


def fingerprint(method: str, target: str, body: bytes) -> str:
    """SHA-256 of method, path with query, and raw body, each length-prefixed so
    that no two different requests run together into the same bytes."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), target.encode("latin-1"), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def idempotent_operations(base_path: str, document: dict) -> set[tuple[str, str]]:
    """(base path, operationId) of every operation declaring the IdempotencyKey parameter."""
    found = set()
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            if any(_is_idempotency_key(document, p) for p in parameters):
                found.add((base_path, operation["operationId"]))
    return found


def _is_idempotency_key(document: dict, parameter: dict) -> bool:
    ref = parameter.get("$ref", "")
    if ref.startswith("#/components/parameters/"):
        parameter = document["components"]["parameters"][ref.rsplit("/", 1)[1]]
    return parameter.get("in") == "header" and parameter.get("name", "").lower() == HEADER.lower()


def key_scope(principal: dict, key: str) -> KeyScope | None:
    credential = next((principal[c] for c in CREDENTIAL_CLAIMS if principal.get(c)), None)
    if credential is None:
        return None
    return KeyScope(credential, principal["org"], principal["mode"], key)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, operations: set[tuple[str, str]]) -> None:
        self.app = app
        self.operations = frozenset(operations)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scoped = self._key_scope(scope)
        if scoped is None:
            await self.app(scope, receive, send)
            return
        services = current_services()
        request = fingerprint(scope["method"], request_target(scope), scope.get(RAW_BODY_KEY, b""))
        outcome = await anyio.to_thread.run_sync(_claim, services, scoped, request)
        if isinstance(outcome, Replay):
            await _replay(services, outcome, send)
            return
        if isinstance(outcome, Mismatch):
            raise ApiError(
                422,
                "This Idempotency-Key was already used with a different request "
                "(method, path or body); send a new key for a new request.",
                {f"header.{HEADER}": "was first used with a different request"},
            )
        if isinstance(outcome, InProgress):
            raise ApiError(
                409,
                "The first request with this Idempotency-Key is still being processed; "
                "retry once it has finished.",
                {f"header.{HEADER}": "is held by a request still being processed"},
            )
        await self._run(scope, receive, send, services, scoped, outcome)

    def _key_scope(self, scope: Scope) -> KeyScope | None:
        """The key this request holds, or None when idempotency does not apply to it."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        extensions = scope.get("extensions", {})
        routing = extensions.get("connexion_routing", {})
        if (routing.get("api_base_path"), routing.get("operation_id")) not in self.operations:
            return None
        key = _header(scope, HEADER.lower().encode())
        principal = extensions.get("connexion_context", {}).get("token_info")
        if key is None or not VALID_KEY.fullmatch(key) or not isinstance(principal, dict):
            return None
        return key_scope(principal, key)

    async def _run(self, scope, receive, send, services, scoped: KeyScope, held: Proceed) -> None:
        answer = BufferedAnswer()
        try:
            await self.app(scope, receive, answer.capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_release, services, scoped, held)
            raise
        if 200 <= answer.status < 300:
            await anyio.to_thread.run_sync(_store, services, scoped, held, answer)
        else:
            await anyio.to_thread.run_sync(_release, services, scoped, held)
        await answer.send_to(send)


class BufferedAnswer:
    """The downstream answer, held back until it is stored."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.messages: list[Message] = []

    async def capture(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        self.messages.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        )

    def kept_headers(self) -> dict[str, str]:
        return {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in self.headers
            if name.decode("latin-1").lower() in KEPT_HEADERS
        }

    async def send_to(self, send: Send) -> None:
        for message in self.messages:
            await send(message)


def _claim(services, scoped: KeyScope, request: str):
    settings = services.settings
    now = utcnow()
    outcome = claim(
        services.database.session_factory,
        scoped,
        request,
        now=now,
        ttl=timedelta(seconds=settings.idempotency_ttl_seconds),
        lock_timeout=timedelta(seconds=settings.idempotency_lock_timeout_seconds),
    )
    if isinstance(outcome, Proceed) and random.random() < PURGE_CHANCE:
        _purge_some(services, now)
    return outcome


def _purge_some(services, now) -> None:
    try:
        with UnitOfWork(services.database.session_factory) as uow:
            uow.idempotency.purge_expired(now, limit=PURGE_BATCH)
            uow.commit()
    except Exception as error:  # housekeeping: `gatehouse idempotency purge` catches up
        log.warning("idempotency purge failed", error=type(error).__name__)


def _store(services, scoped: KeyScope, held: Proceed, answer: BufferedAnswer) -> None:
    try:
        sealed = services.keyring.seal(answer.body)
        with UnitOfWork(services.database.session_factory) as uow:
            stored = uow.idempotency.complete(
                scoped, held.locked_at, answer.status, answer.kept_headers(), sealed
            )
            uow.commit()
    except Exception as error:
        # The work is done and the client gets its answer; the key stays in
        # progress (409 to retries) until the lock times out.
        log.error("idempotent answer not stored", error=type(error).__name__)
        return
    if not stored:
        log.warning("idempotency key taken over before its answer was stored")


def _release(services, scoped: KeyScope, held: Proceed) -> None:
    try:
        with UnitOfWork(services.database.session_factory) as uow:
            uow.idempotency.release(scoped, held.locked_at)
            uow.commit()
    except Exception as error:  # the key frees itself when the lock times out
        log.error("idempotency key not released", error=type(error).__name__)


async def _replay(services, stored: Replay, send: Send) -> None:
    body = services.keyring.unseal(stored.body_ciphertext)
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers.items()
    ]
    headers += [(b"content-length", b"%d" % len(body)), REPLAYED]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", []):
        if header == name:
            return value.decode("latin-1")
    return None
