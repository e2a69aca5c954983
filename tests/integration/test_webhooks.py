"""Webhook endpoints through the API, with a real receiver on loopback.

The servers of the suite allow loopback targets (GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE);
the refusal of private addresses with the setting off is at the end, on a
server of its own. Events are recorded in the outbox directly (as a domain
change would) and delivered by the server's in-process runner.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from storage import UnitOfWork
from storage.partition import Partition
from tests.support.api import BaseUrlSession, assert_error
from tests.support.receiver import Receiver
from tests.support.records import database_of
from tests.support.server import LiveServer

WEBHOOKS = "/api/v1/webhooks"
SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{32}$")


@pytest.fixture(autouse=True)
def no_endpoint_outlives_its_test(request):
    """The tenant is shared by the session: an endpoint left behind would receive later
    tests' events at a receiver that is gone, and keep the delivering threads busy."""
    api = request.getfixturevalue("api") if "api" in request.fixturenames else None
    yield
    if api is None:
        return
    while listed := api.get(WEBHOOKS, params={"perPage": 100}).json()["data"]:
        for webhook in listed:
            assert api.delete(f"{WEBHOOKS}/{webhook['id']}").status_code == 204


def record_event(server, organization_id: str, event_type="order.created", mode="test", **data):
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        event = uow.events.record(
            Partition(organization_id, mode), event_type, data={"id": "order_1", **data}
        )
        uow.commit()
        return event.id


def register(api, receiver, events=("*",), **fields) -> dict:
    response = api.post(WEBHOOKS, json={"url": receiver.url, "events": list(events), **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def verify_x_signature(secret: str, received) -> None:
    """The recipe of the docs: hex HMAC-SHA256 of the raw body, keyed with the whole secret."""
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert expected in received.headers["X-Webhook-Signature"].split()


def test_registration_sends_a_verifiable_test_event_and_shows_the_secret(api):
    with Receiver() as receiver:
        webhook = register(api, receiver, events=["order.*", "inventory.low"], description="WMS")
        assert webhook["status"] == "active"
        assert webhook["events"] == ["order.*", "inventory.low"]
        assert SECRET.match(webhook["secret"])
        [ping] = receiver.events("webhook.test")
    payload = StandardWebhook(webhook["secret"]).verify(ping.body, ping.headers)
    assert payload["data"] == {"webhookId": webhook["id"], "message": payload["data"]["message"]}
    assert ping.headers["webhook-id"] == payload["id"]
    assert ping.headers["Content-Type"] == "application/json"
    assert ping.headers["User-Agent"].startswith("Gatehouse-Webhooks/")
    verify_x_signature(webhook["secret"], ping)

    shown = api.get(f"{WEBHOOKS}/{webhook['id']}").json()["data"]
    assert "secret" not in shown and shown["description"] == "WMS"
    secret = api.get(f"{WEBHOOKS}/{webhook['id']}/secret").json()["data"]
    assert secret == {
        "secret": webhook["secret"],
        "previousSecret": None,
        "previousSecretExpiresAt": None,
    }


def test_a_supplied_secret_signs(api):
    chosen = "whsec_" + base64.b64encode(b"s" * 32).decode()
    with Receiver() as receiver:
        webhook = register(api, receiver, secret=chosen)
        [ping] = receiver.events()
    assert webhook["secret"] == chosen
    StandardWebhook(chosen).verify(ping.body, ping.headers)


def test_an_endpoint_refusing_the_test_event_is_not_registered(api):
    with Receiver(answers=[500]) as receiver:
        response = api.post(WEBHOOKS, json={"url": receiver.url, "events": ["*"]})
        error = assert_error(response, 422, "UNPROCESSABLE")
        assert "500" in error["details"]["url"]
    listed = api.get(WEBHOOKS, params={"perPage": 100}).json()["data"]
    assert receiver.url not in [w["url"] for w in listed]


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data",  # cloud metadata: refused even in development
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "https://user:pw@127.0.0.1/hook",
        "https://does-not-exist.invalid/hook",
    ],
)
def test_refused_urls_answer_422_naming_the_url(api, url):
    error = assert_error(
        api.post(WEBHOOKS, json={"url": url, "events": ["*"]}), 422, "UNPROCESSABLE"
    )
    assert set(error["details"]) == {"url"}


def test_invalid_input_names_every_field(api):
    response = api.post(WEBHOOKS, json={"url": "ftp://x", "events": ["order.shipped", "*"]})
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert {"url", "events.0"} <= set(error["details"]), error["details"]


def test_an_event_reaches_every_matching_endpoint_signed_and_logged(server, api, tenant):
    with Receiver() as wide, Receiver() as narrow, Receiver() as other:
        everything = register(api, wide, events=["*"])
        orders = register(api, narrow, events=["order.created"])
        register(api, other, events=["product.*"])
        event_id = record_event(server, tenant.organization_id, total="9.50")
        wide.wait_for(lambda: wide.events("order.created"))
        narrow.wait_for(lambda: narrow.events("order.created"))
        [got] = wide.events("order.created")
        assert other.events("order.created") == []
    payload = StandardWebhook(everything["secret"]).verify(got.body, got.headers)
    assert payload == {
        "id": event_id,
        "event": "order.created",
        "timestamp": payload["timestamp"],
        "data": {"id": "order_1", "total": "9.50"},
    }
    assert got.headers["webhook-id"] == event_id
    verify_x_signature(everything["secret"], got)
    StandardWebhook(orders["secret"]).verify(*_body_and_headers(narrow.events("order.created")[0]))

    # Its registration's test event is a delivery too (webhook.test): the event's alone.
    params = {"eventType": "order.created"}
    deliveries = api.get(f"{WEBHOOKS}/{everything['id']}/deliveries", params=params).json()
    [delivery] = deliveries["data"]
    assert delivery["eventId"] == event_id and delivery["status"] == "succeeded"
    detail = api.get(f"{WEBHOOKS}/{everything['id']}/deliveries/{delivery['id']}").json()["data"]
    [attempt] = detail["attempts"]
    assert attempt["number"] == 1 and attempt["responseStatus"] == 200
    assert attempt["responseBody"] == "ok" and attempt["error"] is None
    assert attempt["requestHeaders"]["webhook-signature"] == "v1,***"
    assert attempt["requestHeaders"]["X-Webhook-Signature"] == "sha256=***"
    assert attempt["requestHeaders"]["webhook-id"] == event_id
    assert everything["secret"] not in str(detail)


def _body_and_headers(received):
    return received.body, received.headers


def test_events_of_another_organization_or_mode_are_not_delivered(server, api, other_api, tenant):
    with Receiver() as receiver:
        webhook = register(api, receiver)
        assert_error(other_api.get(f"{WEBHOOKS}/{webhook['id']}"), 404, "NOT_FOUND")
        record_event(server, tenant.organization_id, mode="live")
        marker = record_event(server, tenant.organization_id, "payment.received")
        receiver.wait_for(lambda: receiver.events("payment.received"))
        assert [r.json["id"] for r in receiver.events() if r.json["event"] != "webhook.test"] == [
            marker
        ]


def test_rotation_signs_with_both_secrets_during_the_grace_period(server, api, tenant):
    with Receiver() as receiver:
        webhook = register(api, receiver, events=["customer.*"])
        rotated = api.post(f"{WEBHOOKS}/{webhook['id']}/rotate-secret")
        assert rotated.status_code == 200, rotated.text
        secrets = rotated.json()["data"]
        assert secrets["previousSecret"] == webhook["secret"]
        assert SECRET.match(secrets["secret"]) and secrets["secret"] != webhook["secret"]
        assert secrets["previousSecretExpiresAt"]
        record_event(server, tenant.organization_id, "customer.created")
        receiver.wait_for(lambda: receiver.events("customer.created"))
        [got] = receiver.events("customer.created")
    assert len(got.headers["webhook-signature"].split()) == 2
    assert len(got.headers["X-Webhook-Signature"].split()) == 2
    for secret in (secrets["secret"], webhook["secret"]):
        StandardWebhook(secret).verify(got.body, got.headers)
        verify_x_signature(secret, got)


def test_410_disables_the_endpoint_with_the_reason(server, api, tenant):
    answers = iter([200, 410])
    with Receiver(answers=lambda _got: next(answers, 410)) as receiver:
        webhook = register(api, receiver, events=["inventory.low"])
        record_event(server, tenant.organization_id, "inventory.low")
        receiver.wait_for(lambda: receiver.events("inventory.low"))
        shown = _wait_for_status(api, webhook["id"], "disabled")
    assert "410" in shown["disabledReason"]
    params = {"eventType": "inventory.low"}
    [delivery] = api.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", params=params).json()["data"]
    assert delivery["status"] == "failed" and delivery["lastStatusCode"] == 410
    resumed = api.post(f"{WEBHOOKS}/{webhook['id']}/resume").json()["data"]
    assert resumed["status"] == "active" and resumed["disabledReason"] is None


def _wait_for_status(api, webhook_id, status, timeout=20.0) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = api.get(f"{WEBHOOKS}/{webhook_id}").json()["data"]
        if shown["status"] == status:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"webhook {webhook_id} is {shown['status']}, not {status}")


def test_pause_resume_update_delete(api):
    with Receiver() as receiver, Receiver() as moved:
        webhook = register(api, receiver)
        path = f"{WEBHOOKS}/{webhook['id']}"
        assert api.post(f"{path}/pause").json()["data"]["status"] == "paused"
        assert (
            api.get(WEBHOOKS, params={"status": "paused"}).json()["data"][0]["id"] == webhook["id"]
        )
        assert api.post(f"{path}/resume").json()["data"]["status"] == "active"
        updated = api.put(path, json={"url": moved.url, "events": ["product.created"]})
        assert updated.status_code == 200, updated.text
        assert updated.json()["data"]["url"] == moved.url
        assert moved.events("webhook.test"), "a new URL is verified with a test event"
        tested = api.post(f"{path}/test").json()["data"]
        assert tested["delivered"] is True and tested["statusCode"] == 200
        assert tested["payload"]["event"] == "webhook.test"
    with Receiver(answers=[503]) as broken:
        refused = api.put(path, json={"url": broken.url, "events": ["*"]})
        assert_error(refused, 422, "UNPROCESSABLE")
    assert api.get(path).json()["data"]["url"] == moved.url
    assert api.delete(path).status_code == 204
    assert_error(api.get(path), 404, "NOT_FOUND")


def test_recover_and_redeliver_send_again_with_the_same_webhook_id(server, api, tenant):
    state = {"answer": 200}
    with Receiver(answers=lambda _got: state["answer"]) as receiver:
        webhook = register(api, receiver, events=["order.cancelled"])
        path = f"{WEBHOOKS}/{webhook['id']}"
        state["answer"] = 410
        first = record_event(server, tenant.organization_id, "order.cancelled")
        _wait_for_status(api, webhook["id"], "disabled")
        assert_error(
            api.post(f"{path}/recover", params={"since": webhook["createdAt"]}), 409, "CONFLICT"
        )
        state["answer"] = 200
        api.post(f"{path}/resume")
        recovered = api.post(f"{path}/recover", params={"since": webhook["createdAt"]})
        assert recovered.status_code == 202, recovered.text
        assert recovered.json()["data"] == {"requeued": 1, "since": webhook["createdAt"]}
        receiver.wait_for(lambda: len(receiver.events("order.cancelled")) == 2)
        params = {"eventType": "order.cancelled"}
        [delivery] = api.get(f"{path}/deliveries", params=params).json()["data"]
        delivery = _wait_for_delivery(api, path, delivery["id"], "succeeded")
        assert [a["responseStatus"] for a in delivery["attempts"]] == [410, 200]

        again = api.post(f"{path}/deliveries/{delivery['id']}/redeliver")
        assert again.status_code == 202, again.text
        assert again.json()["data"]["status"] == "pending"
        receiver.wait_for(lambda: len(receiver.events("order.cancelled")) == 3)
        ids = {r.headers["webhook-id"] for r in receiver.events("order.cancelled")}
        assert ids == {first}, "every attempt carries the event's id as webhook-id"


def _wait_for_delivery(api, path, delivery_id, status, timeout=20.0) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = api.get(f"{path}/deliveries/{delivery_id}").json()["data"]
        if shown["status"] == status:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery_id} is {shown['status']}, not {status}")


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    """A server with production's webhook rules (GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE unset)."""
    var_dir = tmp_path_factory.mktemp("strict")
    env = {
        "DATABASE_URL": f"sqlite:///{var_dir / 'gatehouse.db'}",
        "GATEHOUSE_VAR_DIR": str(var_dir),
    }
    env["GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE"] = "false"
    live = LiveServer(env, var_dir / "server.log").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def strict_api(strict_server) -> BaseUrlSession:
    return BaseUrlSession(strict_server.url, strict_server.new_tenant("Strict").auth)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/plain-http",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.20/hook",
        "https://100.64.0.1/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://169.254.169.254/latest/meta-data",
    ],
)
def test_private_and_plain_http_urls_are_refused_in_production_settings(strict_api, url):
    session = strict_api
    with Receiver() as receiver:
        response = session.post(WEBHOOKS, json={"url": url, "events": ["*"]})
        error = assert_error(response, 422, "UNPROCESSABLE")
        assert set(error["details"]) == {"url"}
        refused = session.post(WEBHOOKS, json={"url": receiver.url, "events": ["*"]})
        assert_error(refused, 422, "UNPROCESSABLE")
        assert receiver.events() == [], "nothing is sent to a refused address"


@pytest.mark.parametrize(
    ("since", "echoed"),
    [
        ("0360-06-02T13:36:12Z", "0360-06-02T13:36:12Z"),
        ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z"),
        ("2024-01-01t10:00:00+02:00", "2024-01-01T08:00:00Z"),
    ],
)
def test_recover_takes_any_rfc3339_instant(api, since, echoed):
    with Receiver() as receiver:
        webhook = register(api, receiver, events=["product.deleted"])
    response = api.post(f"{WEBHOOKS}/{webhook['id']}/recover", params={"since": since})
    assert response.status_code == 202, response.text
    assert response.json()["data"] == {"requeued": 0, "since": echoed}


def test_the_readme_verification_recipes_accept_a_real_delivery_and_refuse_a_forgery(api):
    from tests.integration.test_readme import block

    library = block("python", "Webhook(")
    by_hand = block("python", "X-Webhook-Signature")
    with Receiver() as receiver:
        webhook = register(api, receiver)
        [ping] = receiver.events()
    secret = webhook["secret"]
    for raw_body, accepted in ((ping.body, True), (ping.body + b" ", False)):
        scope = {"raw_body": raw_body, "request_headers": ping.headers}
        scope |= {"headers": ping.headers, "secret": secret}
        exec(by_hand, scope)  # noqa: S102 (the README's own code, run as a reader would)
        assert scope["ok"] is accepted
        if accepted:
            exec(library.replace("whsec_...", secret), scope)  # noqa: S102
            assert scope["payload"]["event"] == "webhook.test"
