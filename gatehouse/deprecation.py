"""Deprecation driven by the spec: what an operation or parameter marked
`deprecated: true` (with `x-deprecated-since` and `x-sunset`) says on every answer.

The bundle is read once at start-up into a table keyed by (base path, operationId);
no operation has code of its own. Each answer of a deprecated operation, or of a
request using a deprecated parameter, carries RFC 9745's `Deprecation`, RFC 8594's
`Sunset` and a `Link` to the migration guide; a successful JSON answer also gets a
sentence for people in `meta.warnings`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers import envelope

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Notice:
    """One deprecated thing: the operation itself (`parameter` None) or a parameter."""

    since: date
    sunset: date
    guide: str
    subject: str
    parameter: tuple[str, str] | None = None  # (in, name)

    def warning(self) -> str:
        return (
            f"{self.subject} is deprecated since {self.since.isoformat()} and will stop "
            f"working on {self.sunset.isoformat()}; see {self.guide}."
        )


def notices_of(base_path: str, document: dict, docs_url: str) -> dict[tuple[str, str], list]:
    """Every deprecation the document declares, by (base path, operationId)."""
    guide = f"{docs_url}/{document.get('info', {}).get('x-migration-guide', 'versioning')}"
    table: dict[tuple[str, str], list[Notice]] = {}
    for template, item in document.get("paths", {}).items():
        for method in (m for m in HTTP_METHODS if m in item):
            operation = item[method]
            subject = f"{method.upper()} {base_path}{template}"
            found = []
            if operation.get("deprecated"):
                found.append(_notice(operation, guide, subject, subject))
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                parameter = _resolved(document, parameter)
                if parameter.get("deprecated"):
                    where = (parameter["in"], parameter["name"])
                    noun = f"The {where[0]} parameter {where[1]} of {subject}"
                    if where[0] == "header":  # header names are case-insensitive
                        where = ("header", where[1].lower())
                    found.append(_notice(parameter, guide, subject, noun, where))
            if found:
                table[(base_path, operation["operationId"])] = found
    return table


def _notice(node: dict, guide: str, subject: str, noun: str, parameter=None) -> Notice:
    try:
        since = date.fromisoformat(node["x-deprecated-since"])
        sunset = date.fromisoformat(node["x-sunset"])
    except (KeyError, ValueError):
        raise ValueError(
            f"{subject}: deprecated without x-deprecated-since and x-sunset dates (YYYY-MM-DD)"
        ) from None
    if sunset < six_months_after(since):
        raise ValueError(
            f"{subject}: x-sunset {sunset} is less than six months after {since} "
            "(the versioning policy's minimum notice)"
        )
    return Notice(since=since, sunset=sunset, guide=guide, subject=noun, parameter=parameter)


def six_months_after(day: date) -> date:
    """The same day six months later (the month's last day when it is shorter)."""
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def _resolved(document: dict, node: dict) -> dict:
    while "$ref" in node:
        for part in node["$ref"].removeprefix("#/").split("/"):
            document = document[part.replace("~1", "/").replace("~0", "~")]
        node = document
    return node


def headers_of(notices: list[Notice]) -> list[tuple[bytes, bytes]]:
    since = min(notice.since for notice in notices)
    sunset = min(notice.sunset for notice in notices)
    guides = sorted({notice.guide for notice in notices})
    return [
        (b"deprecation", f"@{_epoch(since)}".encode()),
        (b"sunset", format_datetime(_midnight(sunset), usegmt=True).encode()),
        (b"link", ", ".join(f'<{guide}>; rel="deprecation"' for guide in guides).encode()),
    ]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _epoch(day: date) -> int:
    return int(_midnight(day).timestamp())


class DeprecationMiddleware:
    """Outside the error handlers, so that errors of a deprecated operation say it too.

    Connexion's routing fills the `connexion_routing` dict made here with the
    operation it matched, and this reads it when the answer starts.
    """

    def __init__(self, app: ASGIApp, notices: dict[tuple[str, str], list[Notice]]) -> None:
        self.app = app
        self.notices = notices

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.notices:
            await self.app(scope, receive, send)
            return
        routing = scope.setdefault("extensions", {}).setdefault("connexion_routing", {})
        held: list[Message] = []
        applying: list[Notice] = []

        async def send_noted(message: Message) -> None:
            if message["type"] == "http.response.start":
                key = (routing.get("api_base_path"), routing.get("operation_id"))
                applying.extend(_applying(self.notices.get(key, []), scope))
                if not applying:
                    await send(message)
                    return
                message["headers"] = [*message.get("headers", []), *headers_of(applying)]
                if not _warnable(message):
                    applying.clear()
                    await send(message)
                    return
                held.append(message)
                return
            if not held:
                await send(message)
                return
            held.append(message)
            if not message.get("more_body", False):
                await _send_warned(held, applying, send)

        await self.app(scope, receive, send_noted)


def _applying(notices: list[Notice], scope: Scope) -> list[Notice]:
    if not notices:
        return []
    query = {
        name
        for name, _ in parse_qsl(
            scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
        )
    }
    headers = {name.decode("latin-1").lower() for name, _ in scope.get("headers", [])}
    used = {("query", name) for name in query} | {("header", name) for name in headers}
    return [notice for notice in notices if notice.parameter is None or notice.parameter in used]


def _warnable(start: Message) -> bool:
    if not 200 <= start["status"] < 300:
        return False
    for name, value in start.get("headers", []):
        if name.lower() == b"content-type":
            return value.split(b";")[0].strip() == b"application/json"
    return False


async def _send_warned(held: list[Message], notices: list[Notice], send: Send) -> None:
    start, chunks = held[0], held[1:]
    raw = b"".join(chunk.get("body", b"") for chunk in chunks)
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict):
        meta = body.setdefault("meta", {})
        meta.setdefault("requestId", envelope.request_id.get())
        meta.setdefault("warnings", []).extend(notice.warning() for notice in notices)
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    start["headers"] = [
        (name, value) for name, value in start["headers"] if name.lower() != b"content-length"
    ] + [(b"content-length", str(len(raw)).encode())]
    await send(start)
    await send({"type": "http.response.body", "body": raw, "more_body": False})
