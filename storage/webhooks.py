"""Webhook endpoints and their deliveries, for the API: always inside one Partition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from storage.ids import new_id
from storage.models import Event
from storage.paging import Page, Slice, paginate, slice_after
from storage.partition import Partition
from storage.webhook_models import Webhook, WebhookAttempt, WebhookDelivery


@dataclass(frozen=True)
class DeliverySearch:
    statuses: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SentAttempt:
    """One POST made outside the delivery worker (a test event), as its attempt records it."""

    attempted_at: datetime
    request_headers: dict[str, str]  # signatures masked
    response_status: int | None
    response_body: str | None
    latency_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, webhook: Webhook) -> None:
        self.session.add(webhook)
        self.session.flush()

    def get(self, partition: Partition, webhook_id: str) -> Webhook | None:
        return self.session.scalar(self._undeleted(partition).where(Webhook.id == webhook_id))

    def search(
        self, partition: Partition, statuses: tuple[str, ...], page: int, per_page: int
    ) -> Page[Webhook]:
        statement = self._undeleted(partition)
        if statuses:
            statement = statement.where(Webhook.status.in_(statuses))
        statement = statement.order_by(Webhook.created_at.desc(), Webhook.id.desc())
        return paginate(self.session, statement, page=page, per_page=per_page)

    def scroll(
        self, partition: Partition, statuses: tuple[str, ...], *, after: str | None, limit: int
    ) -> Slice:
        """The same filter as `search`, as a keyset slice (v2), newest first."""
        statement = self._undeleted(partition)
        if statuses:
            statement = statement.where(Webhook.status.in_(statuses))
        return slice_after(self.session, statement, Webhook.id, after=after, limit=limit)

    def delivery(self, webhook: Webhook, delivery_id: str) -> WebhookDelivery | None:
        return self.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.id == delivery_id
            )
        )

    def deliveries(self, webhook: Webhook, query: DeliverySearch) -> Page[WebhookDelivery]:
        statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
        if query.statuses:
            statement = statement.where(WebhookDelivery.status.in_(query.statuses))
        if query.event_types:
            statement = statement.where(WebhookDelivery.event_type.in_(query.event_types))
        if query.created_after is not None:
            statement = statement.where(WebhookDelivery.created_at >= query.created_after)
        if query.created_before is not None:
            statement = statement.where(WebhookDelivery.created_at < query.created_before)
        statement = statement.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)

    def record_sent(self, webhook: Webhook, event: Event, sent: SentAttempt) -> WebhookDelivery:
        """Record an event already sent to the endpoint (a test event): the event, its
        delivery, settled by that one attempt, and the attempt. Redelivering it later goes
        through the worker like any other delivery, with the same `webhook-id`."""
        # Flushed one by one: without relationships the flush does not order the inserts.
        self.session.add(event)
        self.session.flush()
        delivery = WebhookDelivery(
            id=new_id("whd"),
            webhook_id=webhook.id,
            organization_id=webhook.organization_id,
            mode=webhook.mode,
            event_id=event.id,
            event_type=event.type,
            status="succeeded" if sent.ok else "failed",
            attempt_count=1,
            retry_base=0,
            next_attempt_at=None,
            last_status_code=sent.response_status,
            created_at=sent.attempted_at,
            updated_at=sent.attempted_at,
        )
        self.session.add(delivery)
        self.session.flush()
        self.session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                number=1,
                attempted_at=sent.attempted_at,
                request_headers=sent.request_headers,
                response_status=sent.response_status,
                response_body=sent.response_body,
                latency_ms=sent.latency_ms,
                error=sent.error,
                next_retry_at=None,
            )
        )
        self.session.flush()
        return delivery

    def event_of(self, delivery: WebhookDelivery) -> Event | None:
        return self.session.scalar(select(Event).where(Event.id == delivery.event_id))

    def attempts(self, delivery: WebhookDelivery) -> list[WebhookAttempt]:
        return list(
            self.session.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery.id)
                .order_by(WebhookAttempt.number)
            )
        )

    def requeue(
        self,
        webhook: Webhook,
        now: datetime,
        *,
        delivery_id: str | None = None,
        failed_since: datetime | None = None,
    ) -> int:
        """Make deliveries pending and due now: one (redeliver), or every failed one
        created since a time (recover). Answers how many were requeued."""
        # An attempt in flight keeps its delivery: requeueing it would send it twice at once.
        statement = update(WebhookDelivery).where(
            WebhookDelivery.webhook_id == webhook.id,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
        )
        if delivery_id is not None:
            statement = statement.where(WebhookDelivery.id == delivery_id)
        if failed_since is not None:
            statement = statement.where(
                WebhookDelivery.status == "failed", WebhookDelivery.created_at >= failed_since
            )
        result = self.session.execute(
            statement.values(
                status="pending",
                retry_base=WebhookDelivery.attempt_count,
                next_attempt_at=now,
                locked_until=None,
                dispatched_at=None,
                updated_at=now,
            ).execution_options(synchronize_session=False)
        )
        return result.rowcount

    @staticmethod
    def _undeleted(partition: Partition) -> Select:
        return select(Webhook).where(*partition.where(Webhook), Webhook.deleted_at.is_(None))
