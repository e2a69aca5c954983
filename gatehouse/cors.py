"""CORS for the deployment's listed browser origins (GATEHOUSE_CORS_ORIGINS), none by default.

Starlette's CORSMiddleware does the work. Two things are ours: the headers our
API reads and writes, and what happens to a preflight it would refuse, which
Starlette answers with a plain-text 400 the contract does not describe. A
preflight from an unlisted origin goes on to the API like any other OPTIONS
request and gets the documented 405, without CORS headers; one from a listed
origin asking for a method or header we do not allow gets 200 with the lists
we do allow. Either way the browser refuses the call itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REQUEST_HEADERS = (
    "X-API-Key",
    "X-Timestamp",
    "X-API-Signature",
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-API-Version",
    "X-Request-Id",
)
EXPOSED_HEADERS = (
    "X-Request-Id",
    "X-API-Version",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "Idempotent-Replayed",
)


def parse_origins(text: str, setting: str = "GATEHOUSE_CORS_ORIGINS") -> tuple[str, ...]:
    """Comma-separated exact origins (`https://app.example.com`), refusing anything else."""
    origins = []
    for part in (item.strip() for item in text.split(",")):
        if not part:
            continue
        parts = urlsplit(part)
        exact = "*" not in part and part == _origin(parts)
        if parts.scheme not in ("http", "https") or not parts.netloc or not exact:
            raise ValueError(
                f"{setting}: {part!r} is not an origin; write scheme://host[:port], "
                "without path, wildcard or trailing slash"
            )
        origins.append(part)
    return tuple(origins)


def _origin(parts) -> str:
    return f"{parts.scheme}://{parts.netloc}"


class ListedOriginsCORS(CORSMiddleware):
    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            # Credentials are headers the script sets, never cookies.
            allow_credentials=False,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            origin = Headers(scope=scope).get("origin")
            if origin is not None and not self.is_allowed_origin(origin):
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code == 200:
            return answer
        headers = {
            name: value
            for name, value in answer.headers.items()
            if name not in ("content-length", "content-type")
        }
        return PlainTextResponse("OK", headers=headers)
