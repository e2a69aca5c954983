"""Signed API keys: each way a request fails authentication, and that it then writes nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import requests

from storage.clock import utcnow
from tests.support.api import (
    PRODUCTS,
    BaseUrlSession,
    assert_error,
    assert_not_stored,
    product_body,
)
from tests.support.records import set_key_expiry
from tests.support.signing import SignedKeyAuth

WINDOW = 300  # seconds either side of the server's clock


def prepared(server, credentials, method, target, clock=time.time, **kwargs):
    """A request signed as `credentials`, built by hand so a test can alter it afterwards."""
    auth = SignedKeyAuth(credentials.key, credentials.secret, clock)
    return requests.Request(method, server.url + target, auth=auth, **kwargs).prepare()


def send(request: requests.PreparedRequest) -> requests.Response:
    with requests.Session() as session:
        return session.send(request, timeout=10)


def assert_refused(response: requests.Response, cause: str) -> None:
    error = assert_error(response, 401, "AUTHENTICATION_ERROR")
    assert cause in error["message"]


def fresh_second() -> None:
    """Wait until early in a second, so the server reads the same second as the signer."""
    fraction = time.time() % 1
    if fraction > 0.3:
        time.sleep(1.01 - fraction)


def drop_header(header):
    def mutate(request, _sku):
        del request.headers[header]

    return mutate


def set_header(header, value):
    def mutate(request, _sku):
        request.headers[header] = value

    return mutate


def other_body(request, sku):
    body = json.dumps(product_body(sku + "-B", price="0.01")).encode()
    request.body = body
    request.headers["Content-Length"] = str(len(body))


REFUSALS = {
    "missing key": (drop_header("X-API-Key"), "sign the request with an X-API-Key"),
    "unknown key": (set_header("X-API-Key", "ak_test_" + "x" * 32), "not recognised"),
    "missing timestamp": (drop_header("X-Timestamp"), "The X-Timestamp header is missing"),
    "non-numeric timestamp": (set_header("X-Timestamp", "yesterday"), "unix seconds"),
    # '²'.isdigit() is True in Python, yet int('²') fails: it must not become a 500.
    "non-ASCII digit timestamp": (set_header("X-Timestamp", "\u00b2"), "unix seconds"),
    "missing signature": (drop_header("X-API-Signature"), "The X-API-Signature header is missing"),
    "wrong signature": (set_header("X-API-Signature", "sha256=" + "0" * 64), "does not match"),
    "signature without scheme": (set_header("X-API-Signature", "0" * 64), "does not match"),
    "tampered body": (other_body, "does not match"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_post_is_named_and_writes_nothing(case, server, tenant, api, prefix):
    mutate, cause = REFUSALS[case]
    sku = f"{prefix}-A"
    request = prepared(server, tenant, "POST", PRODUCTS, json=product_body(sku))
    mutate(request, sku)

    assert_refused(send(request), cause)
    assert_not_stored(api, sku)
    assert_not_stored(api, f"{sku}-B")


def test_signature_by_another_secret_is_refused(server, tenant, api, prefix):
    impostor = SignedKeyAuth(tenant.key, "sk_" + "y" * 43)
    response = requests.post(
        server.url + PRODUCTS, json=product_body(prefix), auth=impostor, timeout=10
    )
    assert_refused(response, "does not match")
    assert_not_stored(api, prefix)


@pytest.mark.parametrize("offset", [-(WINDOW + 1), WINDOW + 1], ids=["past", "future"])
def test_timestamp_outside_the_window_is_refused(offset, server, tenant, api, prefix):
    fresh_second()
    request = prepared(
        server,
        tenant,
        "POST",
        PRODUCTS,
        clock=lambda: time.time() + offset,
        json=product_body(prefix),
    )
    assert_refused(send(request), "away from the server's clock")
    assert_not_stored(api, prefix)


def test_tampered_query_string_is_refused(server, tenant, prefix):
    request = prepared(server, tenant, "GET", f"{PRODUCTS}?q={prefix}")
    request.url = f"{server.url}{PRODUCTS}?q={prefix}-other"
    assert_refused(send(request), "does not match")


def test_replay_works_within_the_window_only(server, tenant):
    captured = prepared(server, tenant, "GET", f"{PRODUCTS}?perPage=1")
    assert send(captured).status_code == 200
    assert send(captured).status_code == 200  # no nonce: the window is the defence

    recent = prepared(server, tenant, "GET", PRODUCTS, clock=lambda: time.time() - WINDOW + 10)
    assert send(recent).status_code == 200
    stale = prepared(server, tenant, "GET", PRODUCTS, clock=lambda: time.time() - WINDOW - 1)
    assert_refused(send(stale), "away from the server's clock")


def test_revoked_key_is_refused_from_the_next_request(server, fresh_key, api, prefix):
    signed = BaseUrlSession(server.url, fresh_key.auth)
    assert signed.get(PRODUCTS).status_code == 200

    server.cli("keys", "revoke", fresh_key.key_id)

    request = prepared(server, fresh_key, "POST", PRODUCTS, json=product_body(prefix))
    assert_refused(send(request), "revoked")
    assert_not_stored(api, prefix)


def test_expired_key_is_refused(server, fresh_key, api, prefix):
    signed = BaseUrlSession(server.url, fresh_key.auth)
    assert signed.get(PRODUCTS).status_code == 200

    set_key_expiry(server, fresh_key.key_id, utcnow() - timedelta(seconds=1))

    request = prepared(server, fresh_key, "POST", PRODUCTS, json=product_body(prefix))
    assert_refused(send(request), "expired")
    assert_not_stored(api, prefix)
