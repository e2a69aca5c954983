"""The audit log at the gateway: what each mutating call did, who asked, how it ended.

RequestContextMiddleware opens the audit of every POST, PUT, PATCH and DELETE
(`open_request_audit`) and closes it once the answer is sent
(`close_request_audit`). AuditMiddleware, nearest the handler, names the actor
and arms the audit while the handler runs, so the event is written by the
handler's own commit (storage.audit); closing then fills in the answer's
status. A call that committed nothing (refused, failed, rolled back) is
recorded at close as it ended, never as a committed success. Calls without an
organization (sign-in, registration, the OAuth token endpoint) have nobody to
show the event to and are not recorded here.

Request bodies are kept with personal data and secrets masked
(gatehouse.masking), and each event is also logged (masked again there).
"""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from gatehouse.context import current_services
from gatehouse.masking import mask_data, mask_email
from gatehouse.security import RAW_BODY_KEY
from gatehouse.usage import Attribution, credential_of, organization_of
from storage import Database, UnitOfWork
from storage.audit import PendingAudit, open_audit, pending_audit
from storage.clock import utcnow
from storage.ids import new_id
from storage.models import AuditEvent

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Request bodies larger than this are summarised by their size.
MAX_KEPT_BODY = 8192
ACTOR_TYPES = {"key": "api_key", "cli": "oauth_client", "usr": "user"}
VERSION = re.compile(r"v[0-9]+")  # /api/v1, /api/v2: not a resource

log = structlog.get_logger("gatehouse.audit")


def open_request_audit(scope: Scope, request_id: str, client_address: str | None):
    if scope["method"] not in MUTATING:
        return None
    return open_audit(
        {
            "method": scope["method"],
            "path": _text(scope["path"], 2048),
            "request_id": request_id,
            "client_address": client_address,
        }
    )


class AuditMiddleware:
    """Names the actor and arms the request's audit while the handler runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        pending = pending_audit() if scope["type"] == "http" else None
        principal = _principal(scope)
        if pending is None or not principal:
            await self.app(scope, receive, send)
            return
        database = current_services().database
        actor = await anyio.to_thread.run_sync(_actor, database, principal)
        pending.fields.update(_described(scope, principal["org"], actor, principal))
        pending.armed = True
        try:
            await self.app(scope, receive, send)
        finally:
            # Commits after the handler (idempotency bookkeeping) are not the action.
            pending.armed = False


async def close_request_audit(
    database: Database,
    pending: PendingAudit | None,
    scope: Scope,
    attribution: Attribution,
    status: int,
    response_head: bytes,
    *,
    replayed: bool = False,
) -> None:
    if pending is None:
        return
    principal = _principal(scope)
    if "organization_id" not in pending.fields:
        organization = organization_of(attribution, principal)
        if organization is None:
            return  # nobody's organization: nobody to show it to
        credential = credential_of(attribution, principal)
        actor = (ACTOR_TYPES.get((credential or "").split("_")[0], "unknown"), credential, None)
        pending.fields.update(_described(scope, organization, actor, principal))
    created = _created_id(status, response_head)
    if replayed:  # an Idempotency-Key's stored answer: the action was the first request's
        pending.fields["details"] = {**(pending.fields.get("details") or {}), "replayed": True}
    try:
        await anyio.to_thread.run_sync(_conclude, database, pending, status, created)
    except Exception as error:  # the answer is sent; a committed action's event is stored already
        log.error(
            "audit event not concluded",
            error=type(error).__name__,
            request_id=pending.fields.get("request_id"),
            committed=pending.written_id is not None,
        )


def _conclude(database: Database, pending: PendingAudit, status: int, created: str | None) -> None:
    fields = pending.fields
    if created and not fields.get("resource_id"):
        fields["resource_id"] = created
    with UnitOfWork(database.session_factory) as uow:
        if pending.written_id is not None:
            uow.audit.conclude(pending.written_id, status, created)
        else:
            event = AuditEvent(
                id=new_id("aud"),
                outcome="success" if status < 400 else "failure",
                committed=False,
                status=status,
                created_at=utcnow(),
                **fields,
            )
            uow.audit.add(event)
        uow.commit()
    log.info(
        "audit",
        action=fields["action"],
        actor_type=fields["actor_type"],
        actor_id=fields["actor_id"],
        actor=fields["actor_label"],
        resource_type=fields["resource_type"],
        resource_id=fields["resource_id"],
        status=status,
        committed=pending.written_id is not None,
        request_id=fields["request_id"],
        details=fields["details"],
    )


def _principal(scope: Scope) -> dict | None:
    context = scope.get("extensions", {}).get("connexion_context", {})
    return context.get("token_info")


def _actor(database: Database, principal: dict) -> tuple[str, str | None, str | None]:
    """(type, id, label): a person is labelled by their masked email."""
    if principal.get("user_id"):
        with UnitOfWork(database.session_factory) as uow:
            user = uow.users.get(principal["user_id"])
            label = mask_email(user.email) if user is not None else None
        return "user", principal["user_id"], label
    if principal.get("client_id"):
        return "oauth_client", principal["client_id"], None
    return "api_key", principal.get("key_id"), None


def _described(scope: Scope, organization_id: str, actor: tuple, principal: dict | None):
    actor_type, actor_id, label = actor
    routing = scope.get("extensions", {}).get("connexion_routing", {})
    operation = routing.get("operation_id")
    resource_type, resource_id = _resource(scope)
    return {
        "organization_id": organization_id,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "actor_label": label,
        "credential_id": credential_of(Attribution(), principal) or actor_id,
        "action": operation.rsplit(".", 1)[-1] if operation else _text(scope["method"], 120),
        "resource_type": resource_type,
        "resource_id": resource_id,
        "details": _details(scope.get(RAW_BODY_KEY, b"")),
    }


def _resource(scope: Scope) -> tuple[str | None, str | None]:
    """The resource a path names: its last path parameter and the words of the path before
    it, or, for a collection (a create), the collection's words; words after the version
    are joined (`/api/v1/support/requests` is `support-requests`, not `requests`)."""
    segments = [s for s in scope["path"].split("/") if s]
    values = [str(value) for value in (scope.get("path_params") or {}).values()]
    if values:
        last = values[-1]
        if last in segments:
            at = len(segments) - 1 - segments[::-1].index(last)
            return _kind(segments[:at], values), _text(last, 255)
        return None, _text(last, 255)
    return _kind(segments, values), None


def _kind(segments: list[str], values: list[str]) -> str | None:
    """The run of fixed words that ends `segments`, after any version or path parameter."""
    words: list[str] = []
    for segment in reversed(segments):
        if segment in values or VERSION.fullmatch(segment) or segment == "api":
            break
        words.insert(0, segment)
    return _text("-".join(words), 60) if words else None


def _text(value: str, limit: int) -> str:
    # PostgreSQL text cannot hold NUL; columns have their lengths.
    return value.replace("\x00", "")[:limit]


def _details(body: bytes) -> dict[str, Any] | None:
    if not body:
        return None
    if len(body) > MAX_KEPT_BODY:
        return {"requestBytes": len(body)}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {"requestBytes": len(body)}
    return {"request": mask_data(parsed)}


def _created_id(status: int, head: bytes) -> str | None:
    if status != 201 or not head:
        return None
    try:
        data = json.loads(head).get("data")
    except (ValueError, AttributeError):
        return None
    return data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
