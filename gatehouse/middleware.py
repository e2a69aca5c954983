"""ASGI middleware around Connexion: request context, response headers, body buffering."""

from __future__ import annotations

import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.audit import close_request_audit, open_request_audit
from gatehouse.client_address import client_address_of
from gatehouse.context import bind_services
from gatehouse.errors import ApiError
from gatehouse.idempotency import REPLAYED
from gatehouse.security import RAW_BODY_KEY
from gatehouse.usage import RequestRecord, credential_of, organization_of
from gatehouse.versions import api_version, contradiction
from handlers import envelope
from storage import bind_database
from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import bind_keyring

CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# How much of an answer the audit reads (a created resource's id is near its start).
AUDITED_RESPONSE_HEAD = 65536
access_log = structlog.get_logger("gatehouse.access")


class RequestContextMiddleware:
    """Outermost: gives each request its id, services and database, logs it, counts
    it toward the usage of the credential it was made with, records it for its
    organization's usage reports, and opens and closes the audit of a mutating call.

    It sits outside Connexion's exception handling, so the headers it adds are
    on every answer, errors included.
    """

    def __init__(self, app: ASGIApp, services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        envelope.request_id.set(request_id)
        # Every line logged while this request is handled carries its id
        # (structlog's merge_contextvars; the context reaches Flask's threads).
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await self._handle(scope, receive, send, request_id)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        bind_database(self.services.database)
        bind_services(self.services)
        bind_keyring(self.services.keyring)
        extra_headers = [
            (b"x-request-id", request_id.encode()),
            (b"x-api-version", api_version(scope["path"]).encode()),
        ]
        started = time.perf_counter()
        status = 500
        replayed = False
        response_bytes = 0
        response_head = bytearray()
        attribution = self.services.usage.begin_request()
        client = client_address_of(scope, self.services.settings.trusted_proxies)
        audit = open_request_audit(scope, request_id, client)
        # Made here, so that Connexion's security layer (and its routing) fill these
        # very dicts even when a layer below passes on a copy of the scope.
        extensions = scope.setdefault("extensions", {})
        connexion_context = extensions.setdefault("connexion_context", {})
        routing = extensions.setdefault("connexion_routing", {})

        async def send_with_headers(message: Message) -> None:
            nonlocal status, replayed, response_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                replayed = REPLAYED in message.get("headers", [])
                message["headers"] = [*message.get("headers", []), *extra_headers]
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                response_bytes += len(body)
                if audit is not None and len(response_head) < AUDITED_RESPONSE_HEAD:
                    response_head.extend(body[: AUDITED_RESPONSE_HEAD - len(response_head)])
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            latency_ms = round((time.perf_counter() - started) * 1000, 2)
            principal = connexion_context.get("token_info")
            organization = organization_of(attribution, principal)
            if organization is not None and self.services.settings.usage_recording:
                self.services.usage.record(
                    RequestRecord(
                        organization_id=organization,
                        credential_id=credential_of(attribution, principal),
                        operation_id=routing.get("operation_id"),
                        method=scope["method"],
                        status=status,
                        latency_ms=latency_ms,
                        request_bytes=_request_bytes(scope),
                        response_bytes=response_bytes,
                        client_address=client,
                        user_agent=_header(scope, b"user-agent", 512),
                        request_id=request_id,
                        occurred_at=utcnow(),
                    )
                )
            access_log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1") or None,
                status=status,
                duration_ms=latency_ms,
                user_agent=_header(scope, b"user-agent", 512),
            )
            await close_request_audit(
                self.services.database,
                audit,
                scope,
                attribution,
                status,
                bytes(response_head),
                replayed=replayed,
            )


def _header(scope: Scope, name: bytes, limit: int | None = None) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            # PostgreSQL text cannot hold NUL, and one bad row would hold back its whole batch.
            return value.decode("latin-1").replace("\x00", "")[:limit]
    return None


def _request_bytes(scope: Scope) -> int:
    if RAW_BODY_KEY in scope:
        return len(scope[RAW_BODY_KEY])
    return _content_length(scope) or 0


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if CLIENT_REQUEST_ID.match(candidate):
                return candidate
    return new_id("req")


class BodyBufferMiddleware:
    """Reads the whole body once, refuses it past the limit, and replays it.

    The signature covers the raw bytes, and Connexion's security functions get
    no body of their own, so the bytes travel in the scope.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            raise self._too_large()
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > self.max_bytes:
                raise self._too_large()
            more = message.get("more_body", False)
        scope[RAW_BODY_KEY] = bytes(body)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self) -> ApiError:
        return ApiError(413, f"The request body is larger than {self.max_bytes} bytes.")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BundledSpecMiddleware:
    """Serves `{base}/openapi.json` as the committed bundle, byte for byte.

    Connexion would serve its own copy with every `$ref` inlined, which loses
    the component names that generators and documentation tools rely on.
    """

    def __init__(self, app: ASGIApp, documents: dict[str, bytes]) -> None:
        self.app = app
        self.documents = documents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.documents.get(scope.get("path", "")) if scope["type"] == "http" else None
        if body is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": body if scope["method"] == "GET" else b""}
        )


class LineBreakPathMiddleware:
    """Answers 404 for a path with a line break in it (`%0A` in an id).

    Starlette mounts each API at its base path with `.*`, which stops at a line
    break; such a request would fall through Connexion's routing to Flask, which
    matches it without an operation, and fail. No route has a line break, so the
    answer is the one any unknown path gets.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\n" in scope.get("path", ""):
            raise ApiError(404, "No route matches this path.")
        await self.app(scope, receive, send)


class VersionHeaderMiddleware:
    """Refuses a request whose `X-API-Version` header names another version than its
    path (400, in the error shape of the path's version): the client and the server
    would disagree on what the answer means."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            requested = _header(scope, b"x-api-version")
            why = contradiction(scope.get("path", ""), requested)
            if why is not None:
                raise ApiError(400, why, {"header.X-API-Version": "contradicts the path"})
        await self.app(scope, receive, send)
