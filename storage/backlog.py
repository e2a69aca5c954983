"""What is waiting to go out: the unpublished outbox and the pending webhook deliveries.

Read at scrape time by whichever process answers, so every process reports the
same figures; both counts use the partial indexes the relay and sweeper use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Event
from storage.webhook_models import WebhookDelivery


@dataclass(frozen=True)
class Outbox:
    unpublished: int
    oldest_unpublished_at: datetime | None


def outbox(session: Session) -> Outbox:
    waiting = Event.published_at.is_(None)
    count = session.scalar(select(func.count()).select_from(Event).where(waiting))
    # The relay publishes in `sequence` order, so the first waiting is the oldest.
    oldest = session.scalar(
        select(Event.occurred_at).where(waiting).order_by(Event.sequence).limit(1)
    )
    return Outbox(count or 0, oldest)


def pending_deliveries(session: Session) -> int:
    """Deliveries still to be attempted: due now, or waiting for a retry."""
    statement = select(func.count()).select_from(WebhookDelivery)
    return session.scalar(statement.where(WebhookDelivery.status == "pending")) or 0
