"""Test events are deliveries (as in Svix): the one sent at registration, on a URL change
and by the test operation each leave a `webhook.test` delivery of that endpoint, with its
attempt, in the log and redeliverable with the same webhook-id; it reaches no other
endpoint and is not a domain event. A refused registration records nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook as StandardWebhook

from storage import UnitOfWork
from storage.models import Event
from storage.webhook_models import WebhookDelivery
from tests.integration.test_webhooks import WEBHOOKS, _wait_for_delivery, register
from tests.support.api import assert_error
from tests.support.receiver import Receiver
from tests.support.records import database_of

EVENTS = "/api/v1/events"
TESTS = {"eventType": "webhook.test"}


@pytest.fixture(autouse=True)
def no_endpoint_outlives_its_test(api):
    yield
    while listed := api.get(WEBHOOKS, params={"perPage": 100}).json()["data"]:
        for webhook in listed:
            assert api.delete(f"{WEBHOOKS}/{webhook['id']}").status_code == 204


def test_the_verification_is_answered_and_recorded_as_the_first_delivery(api):
    with Receiver(answers=[(200, {}, b"hello from the receiver")]) as receiver:
        webhook = register(api, receiver, events=["order.created"])
        [ping] = receiver.events("webhook.test")
    verification = webhook["verification"]
    assert verification["delivered"] is True and verification["statusCode"] == 200
    assert verification["error"] is None and verification["latencyMs"] >= 0
    assert verification["responseBody"] == "hello from the receiver"
    assert verification["payload"] == ping.json
    assert StandardWebhook(webhook["secret"]).verify(ping.body, ping.headers) == ping.json

    path = f"{WEBHOOKS}/{webhook['id']}"
    [delivery] = api.get(f"{path}/deliveries", params=TESTS).json()["data"]
    assert delivery["id"] == verification["deliveryId"]
    assert delivery["eventType"] == "webhook.test" and delivery["status"] == "succeeded"
    assert delivery["eventId"] == ping.headers["webhook-id"] == ping.json["id"]
    assert delivery["attemptCount"] == 1 and delivery["nextAttemptAt"] is None
    assert api.get(f"{path}/deliveries", params={"eventType": "order.created"}).json()["data"] == []

    detail = api.get(f"{path}/deliveries/{delivery['id']}").json()["data"]
    assert detail["payload"] == ping.json
    [attempt] = detail["attempts"]
    assert attempt["responseStatus"] == 200 and attempt["error"] is None
    assert attempt["responseBody"] == "hello from the receiver"
    headers = attempt["requestHeaders"]
    assert headers["webhook-id"] == ping.headers["webhook-id"]
    assert headers["webhook-timestamp"] == ping.headers["webhook-timestamp"]
    assert headers["webhook-signature"] == "v1,***"
    assert headers["X-Webhook-Signature"] == "sha256=***"
    assert webhook["secret"] not in str(detail)


def test_the_test_operation_records_a_delivery_that_redelivers_with_the_same_id(api):
    with Receiver() as receiver, Receiver() as bystander:
        webhook = register(api, receiver, events=["product.created"])
        listening = register(api, bystander, events=["*"])
        path = f"{WEBHOOKS}/{webhook['id']}"
        tested = api.post(f"{path}/test")
        assert tested.status_code == 200, tested.text
        result = tested.json()["data"]
        assert result["delivered"] is True and result["responseBody"] == "ok"
        shown = api.get(f"{path}/deliveries/{result['deliveryId']}").json()["data"]
        assert shown["eventType"] == "webhook.test" and shown["payload"] == result["payload"]
        [first] = [r for r in receiver.events("webhook.test") if r.json == result["payload"]]

        again = api.post(f"{path}/deliveries/{result['deliveryId']}/redeliver")
        assert again.status_code == 202, again.text
        receiver.wait_for(lambda: len(receiver.events("webhook.test")) == 3)
        redone = _wait_for_delivery(api, path, result["deliveryId"], "succeeded")
        second = receiver.events("webhook.test")[-1]
        assert second.headers["webhook-id"] == first.headers["webhook-id"]
        assert second.body == first.body, "the same event, byte for byte"
        StandardWebhook(webhook["secret"]).verify(second.body, second.headers)
        assert [a["number"] for a in redone["attempts"]] == [1, 2]
        # The `*` endpoint got its own verification only: no one else's test fans out to it.
        assert [r.json["data"]["webhookId"] for r in bystander.events()] == [listening["id"]]

    # A test is not a domain change: the events API does not show it.
    listed = api.get(EVENTS, params={"perPage": 100}).json()["data"]
    assert result["payload"]["id"] not in [e["id"] for e in listed]
    assert "webhook.test" not in {e["type"] for e in listed}
    assert_error(api.get(f"{EVENTS}/{result['payload']['id']}"), 404, "NOT_FOUND")


def test_a_failed_test_is_a_failed_delivery_that_recover_requeues(api):
    state = {"answer": 200}
    with Receiver(answers=lambda _got: state["answer"]) as receiver:
        webhook = register(api, receiver, events=["customer.created"])
        path = f"{WEBHOOKS}/{webhook['id']}"
        state["answer"] = (500, {}, b"down")
        result = api.post(f"{path}/test").json()["data"]
        assert result["delivered"] is False and result["statusCode"] == 500
        assert result["responseBody"] == "down"
        failed = api.get(f"{path}/deliveries", params={**TESTS, "status": "failed"}).json()
        [delivery] = failed["data"]
        assert delivery["id"] == result["deliveryId"] and delivery["lastStatusCode"] == 500
        assert delivery["nextAttemptAt"] is None, "a test is not retried by itself"
        assert api.get(path).json()["data"]["consecutiveFailures"] == 0

        state["answer"] = 200
        recovered = api.post(f"{path}/recover", params={"since": webhook["createdAt"]})
        assert recovered.json()["data"]["requeued"] == 1
        shown = _wait_for_delivery(api, path, delivery["id"], "succeeded")
        assert [a["responseStatus"] for a in shown["attempts"]] == [500, 200]


def test_a_url_change_records_its_test_and_a_refused_one_records_nothing(api):
    with Receiver() as receiver, Receiver() as moved, Receiver(answers=[503]) as broken:
        webhook = register(api, receiver)
        path = f"{WEBHOOKS}/{webhook['id']}"
        changed = api.put(path, json={"url": moved.url, "events": ["*"]})
        assert changed.status_code == 200, changed.text
        [ping] = moved.events("webhook.test")
        verification = changed.json()["data"]["verification"]
        assert verification["delivered"] is True and verification["payload"] == ping.json
        kept = api.put(path, json={"url": moved.url, "events": ["order.*"]})
        assert "verification" not in kept.json()["data"], "the same URL is not tested again"
        assert len(moved.events("webhook.test")) == 1
        assert_error(api.put(path, json={"url": broken.url, "events": ["*"]}), 422, "UNPROCESSABLE")
        tests = api.get(f"{path}/deliveries", params=TESTS).json()["data"]
    # Newest first: the new URL's verification, then the registration's.
    assert [d["eventId"] for d in tests][0] == ping.json["id"]
    assert tests[0]["id"] == verification["deliveryId"]
    assert len(tests) == 2


def test_a_refused_registration_writes_no_webhook_delivery_or_event(server, api):
    with database_of(server) as database:
        before = _counts(database)
        with Receiver(answers=[500]) as receiver:
            refused = api.post(WEBHOOKS, json={"url": receiver.url, "events": ["*"]})
            assert_error(refused, 422, "UNPROCESSABLE")
            assert len(receiver.events("webhook.test")) == 1, "the test was sent"
        bad_secret = "whsec_" + "A" * 33  # the schema's shape, but not base64
        body = {"url": receiver.url, "events": ["*"], "secret": bad_secret}
        refused = api.post(WEBHOOKS, json=body)
        error = assert_error(refused, 422, "UNPROCESSABLE")
        assert set(error["details"]) == {"secret"}
        assert _counts(database) == before


def _counts(database) -> tuple[int, int]:
    with UnitOfWork(database.session_factory) as uow:
        deliveries = uow.session.scalar(select(func.count()).select_from(WebhookDelivery))
        tests = uow.session.scalar(
            select(func.count()).select_from(Event).where(Event.type == "webhook.test")
        )
        return deliveries, tests
