"""ASGI middleware around Connexion: request context, response headers, body buffering."""

from __future__ import annotations

import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.context import bind_services
from gatehouse.errors import ApiError
from gatehouse.security import RAW_BODY_KEY
from gatehouse.usage import credential_of
from handlers import envelope
from storage import bind_database
from storage.ids import new_id
from storage.keys import bind_keyring

CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = structlog.get_logger("gatehouse.access")


def api_version(path: str) -> str:
    match = re.match(r"^/api/(v\d+)(/|$)", path)
    return match.group(1) if match else "v1"


class RequestContextMiddleware:
    """Outermost: gives each request its id, services and database, logs it, and
    counts it toward the usage of the credential it was made with.

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
        attribution = self.services.usage.begin_request()
        # Made here, so that Connexion's security layer fills this very dict even
        # when a layer below passes on a copy of the scope.
        connexion_context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra_headers]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            credential = credential_of(attribution, connexion_context.get("token_info"))
            if credential is not None:
                self.services.usage.record(credential, status)
            access_log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


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
