"""The event outbox: every domain change records its event in the change's own transaction.

An event is added to the same session as the change, so it commits with it or
not at all: no event for a rolled-back change, no change without its event.
The webhook relay (issue 5) reads unpublished events in `sequence` order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.ids import new_id
from storage.models import Event
from storage.partition import Partition

# The catalogue: every type the platform emits. Webhook subscriptions pick from it.
EVENT_TYPES = (
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "inventory.low",
    "order.created",
    "order.updated",
    "order.cancelled",
    "payment.received",
    "payment.failed",
    "product.created",
    "product.updated",
    "product.deleted",
)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What differs between two views of a resource: {"field": {"from": old, "to": new}}."""
    return {
        name: {"from": before.get(name), "to": after.get(name)}
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


class EventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        partition: Partition,
        event_type: str,
        data: dict[str, Any],
        changes: dict[str, Any] | None = None,
    ) -> Event:
        """Add the event of a change to the current transaction; `data` is the
        resource as the API shows it after the change and must carry its `id`."""
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        event = Event(
            id=new_id("evt"),
            type=event_type,
            resource_type=event_type.split(".", 1)[0],
            resource_id=data["id"],
            occurred_at=utcnow(),
            data=data,
            changes=changes or {},
            publish_attempts=0,
        )
        partition.stamp(event)
        self.session.add(event)
        return event

    def get(self, partition: Partition, event_id: str) -> Event | None:
        return self.session.scalar(
            select(Event).where(*partition.where(Event), Event.id == event_id)
        )
