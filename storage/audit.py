"""The audit log: events written in the transaction of the action they tell of.

The gateway opens a `PendingAudit` for each mutating request and arms it only
while the handler runs. The first unit of work that commits while it is armed
adds the event to its own transaction (`UnitOfWork.commit`), so the event
exists exactly when the action committed: a crash after the commit cannot lose
it, and a rolled-back action leaves no success behind. What was not committed
is recorded afterwards as a failure by the gateway.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from storage.ids import new_id
from storage.models import AuditEvent
from storage.paging import Page, paginate

SORTABLE = {"createdAt": AuditEvent.created_at, "action": AuditEvent.action}


@dataclass
class PendingAudit:
    """The audit event of the request under way, until someone writes it."""

    fields: dict[str, Any]
    armed: bool = False
    written_id: str | None = None


_pending: ContextVar[PendingAudit | None] = ContextVar("gatehouse_audit", default=None)


def open_audit(fields: dict[str, Any]) -> PendingAudit:
    """Start the audit of the current request (shared with the threads it runs in)."""
    pending = PendingAudit(fields)
    _pending.set(pending)
    return pending


def pending_audit() -> PendingAudit | None:
    return _pending.get()


@dataclass(frozen=True)
class AuditFilters:
    action: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    actor_id: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stage(self, pending: PendingAudit | None, now: datetime) -> AuditEvent | None:
        """Add the armed, unwritten event to this transaction as a committed success."""
        if pending is None or not pending.armed or pending.written_id is not None:
            return None
        event = AuditEvent(
            id=new_id("aud"), outcome="success", committed=True, created_at=now, **pending.fields
        )
        self.session.add(event)
        return event

    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    def conclude(self, event_id: str, status: int, resource_id: str | None) -> None:
        """The answer's status (and a created resource's id) on an event already written."""
        values: dict[str, Any] = {
            "status": status,
            "outcome": "success" if status < 400 else "failure",
        }
        if resource_id:
            values["resource_id"] = resource_id
        self.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(values))

    def get(self, organization_id: str, event_id: str) -> AuditEvent | None:
        event = self.session.get(AuditEvent, event_id)
        return event if event is not None and event.organization_id == organization_id else None

    def search(
        self,
        organization_id: str,
        filters: AuditFilters,
        order: tuple[tuple[str, str], ...],
        page: int,
        per_page: int,
    ) -> Page[AuditEvent]:
        statement = _filtered(select(AuditEvent), organization_id, filters)
        columns = [
            SORTABLE[name].desc() if direction == "desc" else SORTABLE[name].asc()
            for name, direction in order
        ]
        # The id breaks ties, so pages never overlap.
        statement = statement.order_by(*columns, AuditEvent.id.desc())
        return paginate(self.session, statement, page=page, per_page=per_page)


def _filtered(statement: Select, organization_id: str, filters: AuditFilters) -> Select:
    statement = statement.where(AuditEvent.organization_id == organization_id)
    if filters.action:
        statement = statement.where(AuditEvent.action.in_(filters.action))
    if filters.outcome:
        statement = statement.where(AuditEvent.outcome.in_(filters.outcome))
    if filters.actor_id:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    if filters.resource_type:
        statement = statement.where(AuditEvent.resource_type == filters.resource_type)
    if filters.resource_id:
        statement = statement.where(AuditEvent.resource_id == filters.resource_id)
    if filters.created_after:
        statement = statement.where(AuditEvent.created_at >= filters.created_after)
    if filters.created_before:
        statement = statement.where(AuditEvent.created_at < filters.created_before)
    return statement
