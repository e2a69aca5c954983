"""Webhook rules without I/O: addresses, filters, secrets, signatures, the retry policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from datetime import timedelta

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from workers.webhooks import signing
from workers.webhooks.addresses import UrlRefused, parse, refusal, resolve
from workers.webhooks.matching import matches
from workers.webhooks.policy import DeliveryPolicy


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 (an address under test, not a bind)
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "192.0.2.1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert refusal(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address), allow_private=False) is None


def test_development_allows_loopback_and_private_but_never_metadata_or_link_local():
    for address in ("127.0.0.1", "10.0.0.1", "::1", "fd00::1"):
        assert refusal(ipaddress.ip_address(address), allow_private=True) is None
    unspecified = "0.0.0.0"  # noqa: S104 (an address under test, not a bind)
    for address in ("169.254.169.254", "fe80::1", unspecified, "::ffff:169.254.169.254"):
        assert refusal(ipaddress.ip_address(address), allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "ftp://example.com/",
        "https://",
        "https://u:p@example.com/",
        "https://example.com/#frag",
        "https://example.com:99999/",
    ],
)
def test_malformed_or_plain_urls_are_refused(url):
    with pytest.raises(UrlRefused):
        parse(url, allow_private=False)


def test_a_name_is_judged_by_every_address_it_resolves_to():
    with pytest.raises(UrlRefused, match="loopback"):
        resolve("https://localhost/hook", allow_private=False)
    target = resolve("http://localhost:8080/a?b=1", allow_private=True)
    assert (target.host, target.port, target.path) == ("localhost", 8080, "/a?b=1")
    assert ipaddress.ip_address(target.address).is_loopback


def test_filters_select_exact_types_resource_wildcards_and_everything():
    assert matches(["order.created"], "order.created")
    assert not matches(["order.created"], "order.updated")
    assert matches(["order.*"], "order.cancelled")
    assert not matches(["order.*"], "payment.received")
    assert matches(["*"], "inventory.low")


def test_generated_secrets_follow_the_standard_webhooks_format():
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    assert signing.secret_problem(secret) is None
    assert signing.secret_problem("whsec_" + base64.b64encode(b"x" * 23).decode())
    assert signing.secret_problem("whsec_not*base64")
    assert signing.secret_problem("sk_" + secret)


def test_both_signatures_verify_and_are_masked_in_logs():
    old, new = signing.new_secret(), signing.new_secret()
    body = signing.body_bytes({"id": "evt_1", "event": "order.created", "data": {"é": 1}})
    import time

    now = int(time.time())
    headers = signing.headers([new, old], "evt_1", now, body)
    for secret in (new, old):
        StandardWebhook(secret).verify(body, headers)
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert f"sha256={expected}" in headers["X-Webhook-Signature"].split()
    shown = signing.masked(headers)
    assert shown["webhook-signature"] == "v1,*** v1,***"
    assert shown["X-Webhook-Signature"] == "sha256=*** sha256=***"
    assert shown["webhook-id"] == "evt_1"


def test_the_retry_policy_and_retry_after():
    policy = DeliveryPolicy()
    assert policy.retry_delay(1, 500, None) == timedelta(minutes=1)
    assert policy.retry_delay(2, None, None) == timedelta(minutes=5)
    assert policy.retry_delay(3, 500, 5) == timedelta(minutes=30)  # only 429/503 set the pace
    assert policy.retry_delay(4, 500, None) is None
    assert policy.retry_delay(1, 429, 7) == timedelta(seconds=7)
    assert policy.retry_delay(1, 503, 10**9) == timedelta(hours=6)
