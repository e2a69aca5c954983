"""The relay, the sweeper and the delivery function on real databases, with an injected clock.

A receiver on loopback answers as each test needs; time moves only when the
test moves it, so the retry schedule is checked to the second without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook as StandardWebhook

from storage import UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import Keyring
from storage.models import Event, Organization
from storage.partition import Partition
from storage.webhook_models import Webhook, WebhookAttempt, WebhookDelivery
from tests.support.receiver import Receiver
from tests.support.services import migrated_database
from workers.webhooks import signing
from workers.webhooks.context import DeliveryContext
from workers.webhooks.delivery import deliver
from workers.webhooks.policy import DeliveryPolicy
from workers.webhooks.relay import relay_once, sweep_once


class Clock:
    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    with migrated_database(request.param, tmp_path, pool_size=10) as database:
        yield database


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(database, clock) -> DeliveryContext:
    policy = DeliveryPolicy(
        timeout_seconds=3, allow_private=True, disable_after=2, redispatch_seconds=60, clock=clock
    )
    return DeliveryContext(database, Keyring(Fernet.generate_key()), policy)


@pytest.fixture
def partition(database) -> Partition:
    with UnitOfWork(database.session_factory) as uow:
        organization = Organization(id=new_id("org"), name="Hooks", created_at=utcnow())
        uow.session.add(organization)
        uow.commit()
    return Partition(organization.id, "test")


def add_webhook(ctx, partition, url, events=("*",)) -> tuple[str, str]:
    secret = signing.new_secret()
    now = ctx.now()
    webhook = Webhook(
        id=new_id("wh"),
        url=url,
        events=list(events),
        status="active",
        consecutive_failures=0,
        secret_ciphertext=ctx.keyring.encrypt(secret),
        created_at=now,
        updated_at=now,
    )
    partition.stamp(webhook)
    with UnitOfWork(ctx.database.session_factory) as uow:
        uow.session.add(webhook)
        uow.commit()
    return webhook.id, secret


def record(ctx, partition, event_type="order.created") -> str:
    with UnitOfWork(ctx.database.session_factory) as uow:
        event = uow.events.record(partition, event_type, data={"id": "order_1"})
        uow.commit()
        return event.id


def row(ctx, model, key):
    with UnitOfWork(ctx.database.session_factory) as uow:
        found = uow.session.get(model, key)
        uow.session.expunge(found)
        return found


def attempts(ctx, delivery_id):
    with UnitOfWork(ctx.database.session_factory) as uow:
        found = uow.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        ).all()
        uow.session.expunge_all()
        return found


def test_500_500_200_makes_three_attempts_spaced_by_the_policy(ctx, partition, clock):
    with Receiver(answers=[500, 500, 200]) as receiver:
        webhook_id, secret = add_webhook(ctx, partition, receiver.url)
        event_id = record(ctx, partition)
        [delivery_id] = relay_once(ctx)
        start = clock.now
        assert deliver(ctx, delivery_id) == "pending"
        assert row(ctx, WebhookDelivery, delivery_id).next_attempt_at == start + timedelta(
            minutes=1
        )

        clock.advance(59)
        assert sweep_once(ctx) == []
        assert deliver(ctx, delivery_id) is None, "not due: nobody may attempt it yet"
        clock.advance(1)
        assert sweep_once(ctx) == [delivery_id]
        assert deliver(ctx, delivery_id) == "pending"
        assert row(ctx, WebhookDelivery, delivery_id).next_attempt_at == clock.now + timedelta(
            minutes=5
        )

        clock.advance(300)
        assert sweep_once(ctx) == [delivery_id]
        assert deliver(ctx, delivery_id) == "succeeded"
        assert sweep_once(ctx) == []
        got = receiver.events("order.created")

    assert [int(r.headers["webhook-timestamp"]) for r in got] == [
        int(start.timestamp()),
        int(start.timestamp()) + 60,
        int(start.timestamp()) + 360,
    ]
    assert {r.headers["webhook-id"] for r in got} == {event_id}
    StandardWebhook(secret).verify(got[0].body, got[0].headers)
    for received in got:
        expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
        assert received.headers["X-Webhook-Signature"] == f"sha256={expected}"
    log = attempts(ctx, delivery_id)
    assert [(a.number, a.response_status) for a in log] == [(1, 500), (2, 500), (3, 200)]
    assert [a.next_retry_at - start if a.next_retry_at else None for a in log] == [
        timedelta(minutes=1),
        timedelta(minutes=6),
        None,
    ]
    assert all(a.request_headers["webhook-signature"] == "v1,***" for a in log)
    assert row(ctx, Webhook, webhook_id).consecutive_failures == 0


def test_retry_after_is_honoured_on_429(ctx, partition, clock):
    with Receiver(answers=[(429, {"Retry-After": "7"}), 200]) as receiver:
        add_webhook(ctx, partition, receiver.url)
        record(ctx, partition)
        [delivery_id] = relay_once(ctx)
        deliver(ctx, delivery_id)
        assert row(ctx, WebhookDelivery, delivery_id).next_attempt_at == clock.now + timedelta(
            seconds=7
        )


def test_after_the_last_retry_the_delivery_fails_and_failures_in_a_row_disable(
    ctx, partition, clock
):
    with Receiver(answers=[500]) as receiver:
        webhook_id, _ = add_webhook(ctx, partition, receiver.url)
        for round_ in (1, 2):
            record(ctx, partition)
            [delivery_id] = relay_once(ctx)
            statuses = [deliver(ctx, delivery_id)]
            for delay in (60, 300, 1800):
                clock.advance(delay)
                assert sweep_once(ctx) == [delivery_id]
                statuses.append(deliver(ctx, delivery_id))
            assert statuses == ["pending", "pending", "pending", "failed"]
            webhook = row(ctx, Webhook, webhook_id)
            assert webhook.consecutive_failures == round_
        assert len(receiver.events("order.created")) == 8
    assert webhook.status == "disabled"
    assert webhook.disabled_reason.startswith("2 consecutive deliveries failed (last: HTTP 500)")
    record(ctx, partition)
    assert relay_once(ctx) == [], "a disabled endpoint gets no new deliveries"


def test_a_killed_attempt_is_handed_out_again_once_its_hold_lapses(ctx, partition, clock):
    with Receiver() as receiver:
        add_webhook(ctx, partition, receiver.url)
        record(ctx, partition)
        [delivery_id] = relay_once(ctx)
        # A worker claimed it and died mid-attempt: the hold is set, nothing recorded.
        with UnitOfWork(ctx.database.session_factory) as uow:
            uow.session.get(WebhookDelivery, delivery_id).locked_until = clock.now + timedelta(
                seconds=40
            )
            uow.commit()
        clock.advance(39)
        assert sweep_once(ctx) == [] and deliver(ctx, delivery_id) is None
        clock.advance(21)  # hold lapsed and the dispatch is stale (60 s)
        assert sweep_once(ctx) == [delivery_id]
        assert sweep_once(ctx) == [], "dispatched again just now"
        assert deliver(ctx, delivery_id) == "succeeded"
        assert len(receiver.events("order.created")) == 1


def test_the_address_is_checked_again_at_delivery(ctx, partition, clock):
    with Receiver() as receiver:
        # A name that passed at registration and now resolves to loopback (DNS rebinding).
        add_webhook(ctx, partition, receiver.url.replace("http://127.0.0.1", "https://localhost"))
        record(ctx, partition)
        [delivery_id] = relay_once(ctx)
        strict = DeliveryContext(
            ctx.database, ctx.keyring, DeliveryPolicy(allow_private=False, clock=clock)
        )
        assert deliver(strict, delivery_id) == "pending"
        assert receiver.events() == []
    [attempt] = attempts(ctx, delivery_id)
    assert attempt.response_status is None
    assert attempt.error.startswith("refused: ") and "loopback" in attempt.error


def test_events_fan_out_once_to_matching_endpoints_of_their_partition(ctx, database, partition):
    other = Partition(partition.organization_id, "live")
    with Receiver() as receiver:
        add_webhook(ctx, partition, receiver.url, events=["order.*"])
        add_webhook(ctx, partition, receiver.url, events=["payment.received"])
        add_webhook(ctx, other, receiver.url)
        events = [record(ctx, partition, "order.updated") for _ in range(40)]
        events.append(record(ctx, partition, "payment.received"))
        # Relays racing for the same events: each event is fanned out once.
        with ThreadPoolExecutor(4) as pool:
            made = sum(pool.map(lambda _: relay_once(ctx, limit=7), range(12)), [])
        made += relay_once(ctx)
    assert len(made) == len(set(made)) == 41
    with UnitOfWork(database.session_factory) as uow:
        assert uow.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 41
        unpublished = select(func.count()).where(Event.published_at.is_(None))
        assert uow.session.scalar(unpublished.select_from(Event)) == 0


def test_the_logged_response_body_is_cut_at_4_kib_and_nul_free(ctx, partition):
    answer = (500, {}, b"\x00" + b"x" * 10_000)
    with Receiver(answers=[answer]) as receiver:
        add_webhook(ctx, partition, receiver.url)
        record(ctx, partition)
        [delivery_id] = relay_once(ctx)
        assert deliver(ctx, delivery_id) == "pending"
    [attempt] = attempts(ctx, delivery_id)
    assert attempt.response_status == 500
    assert attempt.response_body == "\ufffd" + "x" * 4095
