"""The organization's audit log: what was done, by whom, from where, and how it ended.

Who may read it is said by the spec (scope audit:read) and by the roles
(storage.roles: only owners and admins hold it). The gateway writes the
events (gatehouse.audit); this reads them.
"""

from __future__ import annotations

from handlers import envelope
from handlers.errors import NotFound
from handlers.listing import instant, sort_order
from storage import unit_of_work
from storage.audit import AuditFilters
from storage.clock import rfc3339
from storage.models import AuditEvent


def list_audit_events(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    action: list[str] | None = None,
    outcome: str | None = None,
    actor_id: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    sort: list[str] | None = None,
    order: list[str] | None = None,
) -> dict:
    filters = AuditFilters(
        action=tuple(action or ()),
        outcome=(outcome,) if outcome else (),
        actor_id=actor_id,
        resource_type=resource_type,
        resource_id=resource_id,
        created_after=instant(created_after),
        created_before=instant(created_before),
    )
    with unit_of_work() as uow:
        result = uow.audit.search(
            token_info["org"], filters, sort_order(sort, order), page, per_page
        )
        return envelope.page([audit_view(event) for event in result.items], result)


def get_audit_event(token_info: dict, audit_event_id: str) -> dict:
    with unit_of_work() as uow:
        event = uow.audit.get(token_info["org"], audit_event_id)
        if event is None:
            raise NotFound("Audit event", audit_event_id)
        return envelope.one(audit_view(event))


def audit_view(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "action": event.action,
        "actor": {"type": event.actor_type, "id": event.actor_id, "email": event.actor_label},
        "credentialId": event.credential_id,
        "method": event.method,
        "path": event.path,
        "resource": {"type": event.resource_type, "id": event.resource_id},
        "outcome": event.outcome,
        "committed": event.committed,
        "status": event.status,
        "clientAddress": event.client_address,
        "requestId": event.request_id,
        "details": event.details,
        "createdAt": rfc3339(event.created_at),
    }
