"""Counts every answer by the spec's operation id and status, and times it.

It sits outside Connexion's exception handling, so it sees the status actually
sent, errors included. Rate-limit rejections are read from the answers
themselves (429 with the code RATE_LIMIT_EXCEEDED), whichever layer limits.
"""

from __future__ import annotations

import json
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.metrics import UNROUTED, Metrics

# A 429's envelope is small; a body larger than this is not ours to read.
ERROR_BODY_LIMIT = 8192


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Made here, so that Connexion's routing fills this very dict even when a
        # layer below passes on a copy of the scope.
        routing = scope.setdefault("extensions", {}).setdefault("connexion_routing", {})
        started = time.perf_counter()
        status = 500
        error_body = bytearray()
        counted = False

        def count() -> None:
            nonlocal counted
            counted = True
            operation = routing.get("operation_id") or UNROUTED
            self.metrics.observe_request(operation, status, time.perf_counter() - started)
            if status == 429 and _code(error_body) == "RATE_LIMIT_EXCEEDED":
                self.metrics.observe_rate_limited(operation)

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                if status == 429 and len(error_body) <= ERROR_BODY_LIMIT:
                    error_body.extend(message.get("body", b""))
                # Counted before the last bytes leave: a client that has its answer
                # finds it counted in the next scrape.
                if not message.get("more_body", False) and not counted:
                    count()
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not counted:  # no complete answer was sent (the client left, or a crash)
                count()


def _code(body: bytes) -> str | None:
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
