"""The event outbox: every domain change records its event in the change's own transaction.

An event is added to the same session as the change, so it commits with it or
not at all: no event for a rolled-back change, no change without its event.
The webhook relay (issue 5) reads unpublished events in `sequence` order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.ids import new_id
from storage.models import Event
from storage.paging import Page, paginate
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
# Not a domain change: the test event sent at registration, on a URL change and by
# the test operation. Stored as an event (so that its delivery references one, as every
# delivery does) already published, so the relay never fans it out; the events API
# (a record of domain changes) does not show it.
TEST_EVENT = "webhook.test"


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What differs between two views of a resource: {"field": {"from": old, "to": new}}."""
    return {
        name: {"from": before.get(name), "to": after.get(name)}
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class EventSearch:
    """What a list request asks for; every filter is optional. Always newest first."""

    types: tuple[str, ...] = ()
    resource_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    page: int = 1
    per_page: int = 20


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
        return self.session.scalar(self._changes(partition).where(Event.id == event_id))

    def search(self, partition: Partition, query: EventSearch) -> Page[Event]:
        statement = self._changes(partition)
        if query.types:
            statement = statement.where(Event.type.in_(query.types))
        if query.resource_id is not None:
            statement = statement.where(Event.resource_id == query.resource_id)
        if query.created_after is not None:
            statement = statement.where(Event.occurred_at >= query.created_after)
        if query.created_before is not None:
            statement = statement.where(Event.occurred_at < query.created_before)
        # `sequence` orders events of the same instant as they were committed.
        statement = statement.order_by(Event.occurred_at.desc(), Event.sequence.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)

    @staticmethod
    def _changes(partition: Partition):
        """The partition's domain events: test events are a webhook's, not a change."""
        return select(Event).where(*partition.where(Event), Event.type != TEST_EVENT)

    def forget_resource(self, partition: Partition, resource_id: str) -> None:
        """Erase what past events hold about a resource (GDPR): keep only its id."""
        for event in self._of(partition, [resource_id]):
            event.data = {"id": resource_id}
            event.changes = {}
        self.session.flush()

    def redact(self, partition: Partition, resource_ids: list[str], names: tuple[str, ...]) -> None:
        """Erase some properties from past events of these resources (GDPR): `null`
        in `data`, gone from `changes`. New dicts are assigned, since JSON columns
        do not track changes made inside them."""
        for event in self._of(partition, resource_ids):
            event.data = {**event.data, **{name: None for name in names if name in event.data}}
            event.changes = {k: v for k, v in event.changes.items() if k not in names}
        self.session.flush()

    def _of(self, partition: Partition, resource_ids: list[str]) -> list[Event]:
        if not resource_ids:
            return []
        statement = select(Event).where(
            *partition.where(Event), Event.resource_id.in_(resource_ids)
        )
        return list(self.session.scalars(statement))


def new_test_event(partition: Partition, webhook_id: str, moment: datetime) -> Event:
    """A test event for one endpoint, published at birth: only that endpoint's own
    test delivery ever references it (see TEST_EVENT)."""
    event = Event(
        id=new_id("evt"),
        type=TEST_EVENT,
        resource_type="webhook",
        resource_id=webhook_id,
        occurred_at=moment.replace(microsecond=0),
        data={"webhookId": webhook_id, "message": "A test event from Gatehouse."},
        changes={},
        publish_attempts=0,
        published_at=moment,
    )
    partition.stamp(event)
    return event
