"""The rate-limit fields of an answer: computed where the limiter runs, sent by an ASGI layer.

The limiter runs inside Flask, but many answers (a 404, a 409, any error a
handler raises) are written by Connexion's error handlers outside Flask, where
its `after_request` never runs. So the fields are worked out right after the
check and handed to `RateLimitHeadersMiddleware`, which adds them to whatever
answer goes out. The hand-over is a list the middleware puts in a context
variable; the Flask thread sees the same list (as gatehouse.usage's mark).
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from gatehouse.rate_limits import Window

_pending: ContextVar[list[tuple[bytes, bytes]] | None] = ContextVar(
    "gatehouse_rate_limit_headers", default=None
)


def fields(windows: list[Window], now: float) -> list[tuple[str, str]]:
    """X-RateLimit-* for the window closest to running out; the IETF draft's two fields."""
    tightest = min(windows, key=lambda window: (window.remaining, -window.reset_at))
    seconds_left = max(0, math.ceil(tightest.reset_at - now))
    policy = ", ".join(f'"{w.name}";q={w.limit};w={w.seconds}' for w in windows)
    return [
        ("X-RateLimit-Limit", str(tightest.limit)),
        ("X-RateLimit-Remaining", str(tightest.remaining)),
        ("X-RateLimit-Reset", str(tightest.reset_at)),
        ("RateLimit", f'"{tightest.name}";r={tightest.remaining};t={seconds_left}'),
        ("RateLimit-Policy", policy),
    ]


def attach(found: list[tuple[str, str]]) -> None:
    """Send these fields with the current request's answer, whoever writes it."""
    pending = _pending.get()
    if pending is not None:
        pending.extend((name.lower().encode(), value.encode()) for name, value in found)


class RateLimitHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pending: list[tuple[bytes, bytes]] = []
        _pending.set(pending)

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start" and pending:
                message["headers"] = [*message.get("headers", []), *pending]
            await send(message)

        await self.app(scope, receive, send_with_fields)
