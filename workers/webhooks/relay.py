"""The outbox relay and the sweeper: they decide which delivery ids go to the transport.

`relay_once` claims unpublished events in `sequence` order and fans each out
into one delivery per matching active endpoint of the event's organization and
mode, in one transaction: the event is published exactly when its deliveries
exist. Several relays may run at once: PostgreSQL skips rows another relay has
locked (FOR UPDATE SKIP LOCKED); elsewhere each claim is a conditional UPDATE
(`published_at IS NULL`), and SQLite runs one writer at a time.

`sweep_once` hands out again what the transport may have lost: pending
deliveries that are due, not held by an attempt in flight, and not dispatched
recently (a worker killed mid-attempt, a Redis restart, a crash between commit
and enqueue). The delivery function's own claim makes a second hand-out harmless.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import or_, select, update

from storage import UnitOfWork
from storage.ids import new_id
from storage.models import Event
from storage.webhook_models import Webhook, WebhookDelivery
from workers.webhooks.context import DeliveryContext
from workers.webhooks.matching import matches

BATCH = 200
log = structlog.get_logger("gatehouse.webhooks")


def relay_once(ctx: DeliveryContext, limit: int = BATCH) -> list[str]:
    """Publish up to `limit` events; answers the ids of the deliveries made."""
    now = ctx.now()
    made: list[str] = []
    relayed: list[tuple[str, list[str]]] = []
    with UnitOfWork(ctx.database.session_factory) as uow:
        session = uow.session
        statement = (
            select(Event).where(Event.published_at.is_(None)).order_by(Event.sequence).limit(limit)
        )
        if not ctx.database.is_sqlite:
            statement = statement.with_for_update(skip_locked=True)
        events = session.scalars(statement).all()
        listeners: dict[tuple[str, str], list[Webhook]] = {}
        for event in events:
            claimed = session.execute(
                update(Event)
                .where(Event.sequence == event.sequence, Event.published_at.is_(None))
                .values(published_at=now, publish_attempts=Event.publish_attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                continue  # another relay published it first
            key = (event.organization_id, event.mode)
            if key not in listeners:
                listeners[key] = list(
                    session.scalars(
                        select(Webhook).where(
                            Webhook.organization_id == event.organization_id,
                            Webhook.mode == event.mode,
                            Webhook.status == "active",
                            Webhook.deleted_at.is_(None),
                        )
                    )
                )
            fanned = len(made)
            for webhook in listeners[key]:
                if matches(webhook.events, event.type):
                    delivery = WebhookDelivery(
                        id=new_id("whd"),
                        webhook_id=webhook.id,
                        organization_id=event.organization_id,
                        mode=event.mode,
                        event_id=event.id,
                        event_type=event.type,
                        status="pending",
                        attempt_count=0,
                        retry_base=0,
                        next_attempt_at=now,
                        dispatched_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(delivery)
                    made.append(delivery.id)
            relayed.append((event.id, made[fanned:]))
        uow.commit()
    # After the commit: a line for each event that really left the outbox.
    for event_id, deliveries in relayed:
        log.info("event relayed", event_id=event_id, delivery_ids=deliveries)
    return made


def sweep_once(ctx: DeliveryContext, limit: int = BATCH) -> list[str]:
    """Dispatch again due deliveries nothing is carrying; answers their ids."""
    now = ctx.now()
    stale = now - timedelta(seconds=ctx.policy.redispatch_seconds)
    conditions = (
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
        or_(WebhookDelivery.dispatched_at.is_(None), WebhookDelivery.dispatched_at <= stale),
    )
    taken: list[str] = []
    with UnitOfWork(ctx.database.session_factory) as uow:
        due = uow.session.scalars(
            select(WebhookDelivery.id)
            .where(*conditions)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        ).all()
        for delivery_id in due:
            result = uow.session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, *conditions)
                .values(dispatched_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                taken.append(delivery_id)
        uow.commit()
    return taken
