"""The delivery function: one attempt of one delivery, whoever carries the id here.

1. Claim: a conditional UPDATE takes the delivery if it is pending, due and not
   held by another attempt, and holds it for the lease (so two workers never
   send the same attempt, and a killed worker's hold lapses).
2. Send, outside any transaction: the URL's address is checked again (DNS
   rebinding), the body signed with every secret that signs now.
3. Record the attempt and the outcome in one transaction: success; a retry
   at the policy's next step (Retry-After honoured on 429/503); failure after
   the last step; 410 Gone disables the endpoint at once; N consecutive failed
   deliveries disable it too, with the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import or_, select, update

from storage import UnitOfWork
from storage.clock import rfc3339
from storage.models import Event
from storage.webhook_models import Webhook, WebhookAttempt, WebhookDelivery
from workers.webhooks import sender, signing
from workers.webhooks.context import DeliveryContext

log = structlog.get_logger("gatehouse.webhooks")
# What an attempt's resulting delivery status says of the attempt (see metrics).
OUTCOMES = {"succeeded": "succeeded", "pending": "retried", "failed": "failed"}


@dataclass(frozen=True)
class Prepared:
    url: str
    body: bytes
    headers: dict[str, str]


def payload(event: Event) -> dict:
    return {
        "id": event.id,
        "event": event.type,
        "timestamp": rfc3339(event.occurred_at),
        "data": event.data,
    }


def deliver(ctx: DeliveryContext, delivery_id: str) -> str | None:
    """Make one attempt if the delivery is ours to make; answers its status afterwards."""
    # Every line logged for this attempt names its delivery (there is no request id).
    with structlog.contextvars.bound_contextvars(delivery_id=delivery_id):
        return _attempt(ctx, delivery_id)


def _attempt(ctx: DeliveryContext, delivery_id: str) -> str | None:
    with UnitOfWork(ctx.database.session_factory) as uow:
        if not _claim(uow.session, delivery_id, ctx):
            return None
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        webhook = uow.session.get(Webhook, delivery.webhook_id)
        event = uow.session.scalar(select(Event).where(Event.id == delivery.event_id))
        why = None
        if webhook.deleted_at is not None or webhook.status != "active":
            why = "deleted" if webhook.deleted_at is not None else webhook.status
        else:
            body = signing.body_bytes(payload(event))
            timestamp = int(ctx.now().timestamp())
            headers = signing.headers(ctx.signing_secrets(webhook), event.id, timestamp, body)
            prepared = Prepared(webhook.url, body, headers)
        # The claim commits before anything is sent: the hold must outlive this process.
        uow.commit()
    if why is not None:
        outcome = sender.Outcome(None, None, 0, f"not sent: the webhook is {why}")
        status = _finish(ctx, delivery_id, {}, outcome, final=True)
        _observe(ctx, "disabled", event.id, outcome)
        return status
    outcome = sender.post(
        prepared.url,
        prepared.body,
        prepared.headers,
        timeout=ctx.policy.timeout_seconds,
        allow_private=ctx.policy.allow_private,
    )
    status = _finish(ctx, delivery_id, signing.masked(prepared.headers), outcome, final=False)
    _observe(ctx, OUTCOMES[status], event.id, outcome)
    return status


def _observe(ctx: DeliveryContext, outcome: str, event_id: str, sent: sender.Outcome) -> None:
    ctx.observe(outcome)
    log.info(
        "webhook delivery attempt",
        event_id=event_id,
        outcome=outcome,
        response_status=sent.status,
        error=sent.error,
        latency_ms=sent.latency_ms,
    )


def _claim(session, delivery_id: str, ctx: DeliveryContext) -> bool:
    now = ctx.now()
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
        )
        .values(locked_until=now + timedelta(seconds=ctx.policy.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish(
    ctx, delivery_id: str, shown_headers: dict, outcome: sender.Outcome, *, final: bool
) -> str:
    now = ctx.now()
    policy = ctx.policy
    with UnitOfWork(ctx.database.session_factory) as uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        webhook = uow.session.get(Webhook, delivery.webhook_id)
        delivery.attempt_count += 1
        next_retry = None
        if outcome.ok:
            delivery.status = "succeeded"
        elif final or outcome.status == 410:
            delivery.status = "failed"
        else:
            delay = policy.retry_delay(
                delivery.attempt_count - delivery.retry_base, outcome.status, outcome.retry_after
            )
            if delay is None:
                delivery.status = "failed"
            else:
                next_retry = now + delay
        if next_retry is not None:
            delivery.status = "pending"
        delivery.next_attempt_at = next_retry
        delivery.locked_until = None
        delivery.dispatched_at = None
        delivery.last_status_code = outcome.status
        delivery.updated_at = now
        uow.session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                number=delivery.attempt_count,
                attempted_at=now,
                request_headers=shown_headers,
                response_status=outcome.status,
                response_body=outcome.body,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
                next_retry_at=next_retry,
            )
        )
        _judge_endpoint(uow, webhook, delivery, outcome, policy.disable_after, now, final)
        uow.commit()
        return delivery.status


def _judge_endpoint(uow, webhook, delivery, outcome, disable_after: int, now, final: bool) -> None:
    """What the outcome says about the endpoint: healthy, gone, or failing for too long."""
    table = Webhook
    if final:
        return  # nothing was sent: says nothing about the endpoint
    if outcome.ok:
        if webhook.consecutive_failures:
            uow.session.execute(
                update(table).where(table.id == webhook.id).values(consecutive_failures=0)
            )
        return
    if outcome.status == 410:
        _disable(uow, webhook.id, "the endpoint answered 410 Gone", now)
        return
    if delivery.status != "failed":
        return
    uow.session.execute(
        update(table)
        .where(table.id == webhook.id)
        .values(consecutive_failures=table.consecutive_failures + 1)
        .execution_options(synchronize_session=False)
    )
    uow.session.refresh(webhook)
    if webhook.consecutive_failures >= disable_after:
        last = outcome.error or f"HTTP {outcome.status}"
        _disable(
            uow,
            webhook.id,
            f"{webhook.consecutive_failures} consecutive deliveries failed (last: {last})",
            now,
        )


def _disable(uow, webhook_id: str, reason: str, now) -> None:
    uow.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.status == "active")
        .values(status="disabled", disabled_reason=reason[:500], updated_at=now)
        .execution_options(synchronize_session=False)
    )
