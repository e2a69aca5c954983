"""The webhooks guide: its verification recipes verify a delivery signed by Gatehouse's own
signing code (and refuse forged and stale ones), and its catalogue shows every event type
with a payload that matches the spec."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from storage.events import EVENT_TYPES
from tests.support.recipes import DOCS, INTERPRETERS, recipes, run
from tests.support.spec import validate
from workers.webhooks import signing

EVENT = re.compile(r"^<!-- event: ([a-z.]+) -->\n```json\n(.*?)^```$", re.M | re.S)
# The schema of `data`, per resource type of the catalogue.
RESOURCES = {
    "customer": "Customer",
    "inventory": "InventoryItem",
    "order": "Order",
    "payment": "Payment",
    "product": "Product",
}


def delivery(secrets_: list[str], timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
    """A delivery as the sender makes it: body and headers from workers.webhooks.signing."""
    payload = {
        "id": "evt_01JD7X3M2Q4W8Y6Z0A1B2C3D4E",
        "event": "order.created",
        "timestamp": "2026-01-01T00:00:00Z",
        "data": {"id": "order_01JD7X3M2Q4W8Y6Z0A1B2C3D4E", "note": "café ☕"},
    }
    body = signing.body_bytes(payload)
    sent_at = int(time.time()) if timestamp is None else timestamp
    return signing.headers(secrets_, payload["id"], sent_at, body), body


def verify(language: str, tmp_path, secret: str, headers: dict[str, str], body: bytes):
    env = {
        **os.environ,
        "WEBHOOK_SECRET": secret,
        "WEBHOOK_ID": headers["webhook-id"],
        "WEBHOOK_TIMESTAMP": headers["webhook-timestamp"],
        "WEBHOOK_SIGNATURE": headers["webhook-signature"],
    }
    code = recipes("webhooks", "verify-webhook")[language]
    done = run(language, code, tmp_path, env, stdin=body)
    return done.returncode, done.stdout.decode().strip() + done.stderr.decode()


def test_the_guide_has_a_verification_recipe_in_every_language():
    assert sorted(recipes("webhooks", "verify-webhook")) == sorted(INTERPRETERS)


@pytest.mark.parametrize("language", sorted(INTERPRETERS))
def test_a_real_delivery_verifies_and_forgeries_do_not(language, tmp_path):
    secret, other = signing.new_secret(), signing.new_secret()
    headers, body = delivery([secret])
    assert verify(language, tmp_path, secret, headers, body) == (0, "verified")
    # During a rotation the header holds one entry per secret; either secret verifies.
    rotating, _ = delivery([other, secret])
    assert verify(language, tmp_path, secret, rotating, body) == (0, "verified")
    # A changed body, another secret's signature, a stale timestamp: refused.
    assert verify(language, tmp_path, secret, headers, body.replace(b"order", b"Order", 1)) == (
        1,
        "rejected",
    )
    assert verify(language, tmp_path, other, headers, body) == (1, "rejected")
    stale, _ = delivery([secret], timestamp=int(time.time()) - 3600)
    assert verify(language, tmp_path, secret, stale, body) == (1, "rejected")


def test_the_catalogue_shows_every_event_type_with_a_payload_matching_the_spec():
    text = (DOCS / "webhooks.md").read_text()
    shown = {kind: json.loads(payload) for kind, payload in EVENT.findall(text)}
    assert sorted(shown) == sorted(EVENT_TYPES), "one example per type of storage.events"
    for kind, payload in shown.items():
        assert payload["event"] == kind
        assert f'<a id="{kind}"></a>' in text, f"no anchor for {kind}"
        validate(payload, "WebhookPayload")
        resource = kind.split(".")[0]
        if kind == "customer.deleted":  # erased: the id is all that is left
            assert list(payload["data"]) == ["id"]
        else:
            validate(payload["data"], RESOURCES[resource])
