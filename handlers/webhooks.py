"""Webhook endpoints (issue 5): subscriptions, secrets, the test event, deliveries and replay.

Endpoints belong to the caller's organization and mode (a Partition) and
receive only that partition's events. Registering (and changing the URL)
checks the URL and sends a test event; the endpoint is stored, active, only if
it answers 2xx. Every test event sent (at registration, on a URL change, by the
test operation) is recorded as a `webhook.test` delivery of that endpoint alone,
with its attempt, so it shows in the log and can be redelivered; a refused
registration records nothing. Delivery itself is workers/webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from gatehouse.context import current_services
from handlers import cursors, envelope
from handlers.errors import Conflict, NotFound, Unprocessable
from handlers.webhook_views import attempt_view, delivery_view, secret_view, webhook_view
from storage import unit_of_work
from storage.clock import utcnow
from storage.events import new_test_event
from storage.ids import new_id
from storage.models import Event
from storage.partition import Partition
from storage.webhook_models import Webhook
from storage.webhooks import DeliverySearch, SentAttempt
from workers.webhooks import sender, signing
from workers.webhooks.addresses import UrlRefused, resolve
from workers.webhooks.delivery import payload

log = structlog.get_logger("gatehouse.webhooks")


def list_webhooks(
    token_info: dict, page: int = 1, per_page: int = 20, status: list[str] | None = None
) -> dict:
    with unit_of_work() as uow:
        result = uow.webhooks.search(Partition.of(token_info), tuple(status or ()), page, per_page)
        return envelope.page([webhook_view(w) for w in result.items], result)


def list_webhooks_by_cursor(
    token_info: dict, limit: int = 20, cursor: str | None = None, status: list[str] | None = None
) -> dict:
    """v2: newest first, one slice after the cursor."""
    after = cursors.position(cursor, "wh")
    with unit_of_work() as uow:
        partition = Partition.of(token_info)
        result = uow.webhooks.scroll(partition, tuple(status or ()), after=after, limit=limit)
        return envelope.slice_of([webhook_view(w) for w in result.items], result)


def create_webhook(token_info: dict, body: dict) -> tuple[dict, int]:
    secret = body.get("secret") or signing.new_secret()
    problem = signing.secret_problem(secret)
    if problem:
        raise Unprocessable("secret", f"The secret is unusable: it {problem}.", problem)
    webhook_id = new_id("wh")
    partition = Partition.of(token_info)
    test = _verify(body["url"], webhook_id, [secret], partition)
    now = utcnow()
    keyring = current_services().keyring
    webhook = Webhook(
        id=webhook_id,
        url=body["url"],
        description=body.get("description"),
        events=list(body["events"]),
        status="active",
        consecutive_failures=0,
        secret_ciphertext=keyring.encrypt(secret),
        created_at=now,
        updated_at=now,
    )
    partition.stamp(webhook)
    with unit_of_work() as uow:
        uow.webhooks.add(webhook)
        delivery = uow.webhooks.record_sent(webhook, test.event, test.sent)
        uow.commit()
        shown = {**webhook_view(webhook), "secret": secret, "verification": test.view(delivery.id)}
        return envelope.one(shown), 201


def get_webhook(token_info: dict, webhook_id: str) -> dict:
    with unit_of_work() as uow:
        return envelope.one(webhook_view(_existing(uow, token_info, webhook_id)))


def update_webhook(token_info: dict, webhook_id: str, body: dict) -> dict:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        moved, secrets_ = body["url"] != webhook.url, _secrets(webhook)
    # No transaction stays open while a test event waits for its answer.
    test = _verify(body["url"], webhook_id, secrets_, Partition.of(token_info)) if moved else None
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        webhook.url = body["url"]
        webhook.description = body.get("description")
        webhook.events = list(body["events"])
        webhook.updated_at = utcnow()
        shown = webhook_view(webhook)
        if test is not None:
            delivery = uow.webhooks.record_sent(webhook, test.event, test.sent)
            shown["verification"] = test.view(delivery.id)
        uow.commit()
        return envelope.one(shown)


def delete_webhook(token_info: dict, webhook_id: str) -> tuple[None, int]:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        # Kept, marked deleted, so that its deliveries stay a consistent record.
        webhook.deleted_at = webhook.updated_at = utcnow()
        uow.commit()
    return None, 204


def pause_webhook(token_info: dict, webhook_id: str) -> dict:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        if webhook.status == "disabled":
            raise Conflict("The webhook is disabled; resume it instead.")
        webhook.status, webhook.updated_at = "paused", utcnow()
        uow.commit()
        return envelope.one(webhook_view(webhook))


def resume_webhook(token_info: dict, webhook_id: str) -> dict:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        webhook.status, webhook.updated_at = "active", utcnow()
        webhook.disabled_reason, webhook.consecutive_failures = None, 0
        uow.commit()
        return envelope.one(webhook_view(webhook))


def test_webhook(token_info: dict, webhook_id: str) -> dict:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        url, secrets_ = webhook.url, _secrets(webhook)
    test = _send_test(url, webhook_id, secrets_, Partition.of(token_info))
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        delivery = uow.webhooks.record_sent(webhook, test.event, test.sent)
        uow.commit()
        return envelope.one(test.view(delivery.id))


def get_webhook_secret(token_info: dict, webhook_id: str) -> dict:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        return envelope.one(secret_view(webhook, current_services().keyring, utcnow()))


def rotate_webhook_secret(token_info: dict, webhook_id: str) -> dict:
    grace = current_services().webhooks.policy.secret_grace_seconds
    keyring = current_services().keyring
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        now = utcnow()
        webhook.previous_secret_ciphertext = webhook.secret_ciphertext
        webhook.previous_secret_expires_at = now + timedelta(seconds=grace)
        webhook.secret_ciphertext = keyring.encrypt(signing.new_secret())
        webhook.updated_at = now
        uow.commit()
        return envelope.one(secret_view(webhook, keyring, now))


def list_webhook_deliveries(
    token_info: dict,
    webhook_id: str,
    page: int = 1,
    per_page: int = 20,
    status: list[str] | None = None,
    event_type: list[str] | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
) -> dict:
    search = DeliverySearch(
        statuses=tuple(status or ()),
        event_types=tuple(event_type or ()),
        created_after=_instant(created_after),
        created_before=_instant(created_before),
        page=page,
        per_page=per_page,
    )
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        result = uow.webhooks.deliveries(webhook, search)
        return envelope.page([delivery_view(d) for d in result.items], result)


def get_webhook_delivery(token_info: dict, webhook_id: str, delivery_id: str) -> dict:
    with unit_of_work() as uow:
        webhook = _existing(uow, token_info, webhook_id)
        delivery = _delivery(uow, webhook, delivery_id)
        sent = payload(uow.webhooks.event_of(delivery))
        attempts = [attempt_view(a) for a in uow.webhooks.attempts(delivery)]
        return envelope.one({**delivery_view(delivery), "payload": sent, "attempts": attempts})


def redeliver_webhook_delivery(
    token_info: dict, webhook_id: str, delivery_id: str
) -> tuple[dict, int]:
    with unit_of_work() as uow:
        webhook = _active(_existing(uow, token_info, webhook_id))
        delivery = _delivery(uow, webhook, delivery_id)
        if not uow.webhooks.requeue(webhook, utcnow(), delivery_id=delivery.id):
            raise Conflict("An attempt of this delivery is in flight; try again when it ends.")
        uow.commit()
        uow.session.refresh(delivery)
        return envelope.one(delivery_view(delivery)), 202


def recover_webhook_deliveries(token_info: dict, webhook_id: str, since: str) -> tuple[dict, int]:
    moment = _instant(since)
    with unit_of_work() as uow:
        webhook = _active(_existing(uow, token_info, webhook_id))
        count = uow.webhooks.requeue(webhook, utcnow(), failed_since=moment)
        uow.commit()
    return envelope.one({"requeued": count, "since": _iso(moment)}), 202


@dataclass(frozen=True)
class SentTest:
    """A test event and what came of sending it, not yet recorded."""

    event: Event
    sent: SentAttempt

    def view(self, delivery_id: str) -> dict:
        return {
            "delivered": self.sent.ok,
            "statusCode": self.sent.response_status,
            "latencyMs": self.sent.latency_ms,
            "error": self.sent.error,
            "responseBody": self.sent.response_body,
            "payload": payload(self.event),
            "deliveryId": delivery_id,
        }


def _verify(url: str, webhook_id: str, secrets_: list[str], partition: Partition) -> SentTest:
    """The URL's rules, then the test event: only a 2xx answer registers the endpoint."""
    allow_private = current_services().webhooks.policy.allow_private
    try:
        resolve(url, allow_private=allow_private)
    except UrlRefused as error:
        raise Unprocessable(
            "url", f"The URL cannot receive webhooks: {error}.", str(error)
        ) from None
    test = _send_test(url, webhook_id, secrets_, partition)
    if not test.sent.ok:
        sent = test.sent
        reason = sent.error or f"the endpoint answered {sent.response_status} to the test event"
        raise Unprocessable("url", f"The endpoint did not accept the test event: {reason}.", reason)
    return test


def _send_test(url: str, webhook_id: str, secrets_: list[str], partition: Partition) -> SentTest:
    """POST a test event now, signed as every delivery is; the caller records it."""
    policy = current_services().webhooks.policy
    now = utcnow()
    event = new_test_event(partition, webhook_id, now)
    raw = signing.body_bytes(payload(event))
    headers = signing.headers(secrets_, event.id, int(now.timestamp()), raw)
    outcome = sender.post(
        url, raw, headers, timeout=policy.timeout_seconds, allow_private=policy.allow_private
    )
    # Why a registration was refused, for the operator (the request id is bound).
    log.info(
        "webhook test event sent",
        webhook_id=webhook_id,
        event_id=event.id,
        response_status=outcome.status,
        error=outcome.error,
    )
    sent = SentAttempt(
        attempted_at=now,
        request_headers=signing.masked(headers),
        response_status=outcome.status,
        response_body=outcome.body,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
    )
    return SentTest(event, sent)


def _secrets(webhook: Webhook) -> list[str]:
    return current_services().webhooks.signing_secrets(webhook)


def _existing(uow, token_info: dict, webhook_id: str) -> Webhook:
    webhook = uow.webhooks.get(Partition.of(token_info), webhook_id)
    if webhook is None:
        raise NotFound("webhook", webhook_id)
    return webhook


def _active(webhook: Webhook) -> Webhook:
    if webhook.status != "active":
        raise Conflict(f"The webhook is {webhook.status}; resume it first.")
    return webhook


def _delivery(uow, webhook: Webhook, delivery_id: str):
    delivery = uow.webhooks.delivery(webhook, delivery_id)
    if delivery is None:
        raise NotFound("delivery", delivery_id)
    return delivery


def _instant(value: str | None) -> datetime | None:
    """An RFC 3339 instant in UTC; one beyond the calendar's ends (0001-01-01T00:00:00+01:00)
    stands for that end, which compares the same way."""
    if not value:
        return None
    # RFC 3339 allows a lower-case `t` and `z`, which fromisoformat() refuses.
    moment = datetime.fromisoformat(value.upper())
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (
            datetime.min.replace(tzinfo=UTC)
            if moment.year == 1
            else datetime.max.replace(tzinfo=UTC)
        )


def _iso(moment: datetime) -> str:
    # rfc3339() would print year 360 as `360`, which is not a date-time.
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
