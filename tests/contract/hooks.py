"""Schemathesis hooks: sign every request that carries our API key.

Auth hooks do not see the serialized body (schemathesis#2329), so signing is a
`requests` auth object, which runs on the final bytes. Requests without our key
(Schemathesis' own no-auth and bad-auth probes) are left unsigned, as an
attacker's would be.

In the Bearer run (GATEHOUSE_CONTRACT_BEARER set) the same requests carry the
access token instead of the key, so every operation is exercised through the
OAuth2 alternative of its security requirement, probes included.

In the person run the token is a signed-in owner's. /auth/logout revokes the
session it is called with, so logout calls carry a second session's token
(GATEHOUSE_CONTRACT_LOGOUT_BEARER): the first logout ends that session, later
ones are answered 401 as declared, and the rest of the run keeps a live token.

Idempotency-Key: Schemathesis draws few distinct valid keys (the same short
value for many calls of every operation), so most POSTs would answer 422 (key
reused with another body) and never reach their handlers, and an identical
POST after a DELETE would replay the deleted resource's 201, which the stateful
phase reads as a resource that should exist. So a valid generated key is
swapped for a fresh one per call: every call is a first use, and the handlers
are exercised as before. Invalid keys are sent as generated, so the negative
tests of the header still run. Replays, 409 and 422 are tested in
tests/integration/test_idempotency*.py.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid
import zlib

import schemathesis
from schemathesis.specs.openapi.checks import use_after_free

from gatehouse.idempotency import HEADER, VALID_KEY
from handlers.cursors import cursor_of
from tests.support.signing import SignedKeyAuth

KEY = os.environ["GATEHOUSE_CONTRACT_KEY"]
SIGNER = SignedKeyAuth(KEY, os.environ["GATEHOUSE_CONTRACT_SECRET"])
BEARER = os.environ.get("GATEHOUSE_CONTRACT_BEARER", "")
LOGOUT_BEARER = os.environ.get("GATEHOUSE_CONTRACT_LOGOUT_BEARER", "")
# A product (with ample stock) and a customer seeded by test_schemathesis.py.
PRODUCT_ID = os.environ.get("GATEHOUSE_CONTRACT_PRODUCT_ID", "")
PRODUCT_PRICE = os.environ.get("GATEHOUSE_CONTRACT_PRODUCT_PRICE", "")
CUSTOMER_ID = os.environ.get("GATEHOUSE_CONTRACT_CUSTOMER_ID", "")
ORDER_WRITES = {("POST", "/orders"), ("PUT", "/orders/{orderId}")}
_order_writes = itertools.count()


def fresh_idempotency_key(request):
    value = request.headers.get(HEADER)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if value is not None and VALID_KEY.fullmatch(value):
        request.headers[HEADER] = f"st-{uuid.uuid4()}"
    return request


# A receiver the test runs on loopback: registering a webhook sends it a test event and
# succeeds only on a 2xx, so generated URLs (which answer nothing) would never reach 201
# and the stateful phase would never get past creation.
WEBHOOK_RECEIVER = os.environ.get("GATEHOUSE_CONTRACT_WEBHOOK_URL", "")
WEBHOOK_BODIES = {("POST", "/webhooks"), ("PUT", "/webhooks/{webhookId}")}


def sign_if_ours(request):
    request = fresh_idempotency_key(request)
    if request.headers.get("X-API-Key") != KEY:
        return request
    if BEARER:
        del request.headers["X-API-Key"]
        logout = LOGOUT_BEARER and request.path_url.split("?")[0].endswith("/auth/logout")
        request.headers["Authorization"] = f"Bearer {LOGOUT_BEARER if logout else BEARER}"
        return request
    return SIGNER(request)


def seed_order_body(case) -> None:
    """Put the seeded ids into three of four order bodies: generated ids name no
    product or customer, so without this every order would be refused (422) and
    the stateful phase could never walk create -> get -> update -> pay -> cancel.
    The fourth keeps its generated ids and exercises the refusals."""
    if not PRODUCT_ID or (case.method.upper(), case.operation.path) not in ORDER_WRITES:
        return
    if not isinstance(case.body, dict) or next(_order_writes) % 4 == 3:
        return
    if isinstance(case.body.get("customerId"), str):
        case.body["customerId"] = CUSTOMER_ID
    for item in case.body.get("items") or []:
        if isinstance(item, dict) and isinstance(item.get("productId"), str):
            item["productId"] = PRODUCT_ID
            if isinstance(item.get("unitPrice"), str):
                item["unitPrice"] = PRODUCT_PRICE


# Prefixes of the ids a path parameter may name, for absent_for_null_references.
ID_PREFIXES = {"customerId": "cust", "productId": "prod", "orderId": "order"}


def absent_for_null_references(case) -> None:
    """A link that follows a null reference (an erased customer's orders keep
    `customerId: null`, stock may name no product) makes Schemathesis call
    `/customers/None` and then flag the 400 as a valid request refused. The
    reference is legitimately null; name a well-formed id that exists nowhere
    instead, which must answer 404."""
    for name, value in list((case.path_parameters or {}).items()):
        if value is None or value == "None":
            prefix = ID_PREFIXES.get(name)
            if prefix:
                case.path_parameters[name] = f"{prefix}_{'0' * 26}"


# What each v2 list's cursors name (handlers.cursors), for server_issued_cursors.
CURSOR_PREFIXES = {
    "/products": "prod",
    "/customers": "cust",
    "/orders": "order",
    "/inventory": "inv",
    "/webhooks": "wh",
}
CURSOR_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def server_issued_cursors(case) -> None:
    """A v2 cursor is a token only the server issues, like an id: a generated one
    that fits the schema is still not one the list gave out, which answers 400 by
    design (tests/integration/test_cursor_pagination.py), and Schemathesis would
    flag it as a valid request refused. Such a value is swapped for a cursor the
    list could have given (after the greatest possible id: the first slice), so the
    cursor path of the handlers runs; values that break the schema are sent as
    generated, and still answer 400."""
    query = case.query or {}
    prefix = CURSOR_PREFIXES.get(case.operation.path)
    cursor = query.get("cursor")
    if prefix and isinstance(cursor, str) and CURSOR_SHAPE.fullmatch(cursor):
        query["cursor"] = cursor_of(f"{prefix}_7{'Z' * 25}")


@schemathesis.hook
def before_call(context, case, kwargs):
    absent_for_null_references(case)
    server_issued_cursors(case)
    seed_order_body(case)
    kwargs["auth"] = sign_if_ours
    point_webhooks_at_the_receiver(case)


def point_webhooks_at_the_receiver(case) -> None:
    """Two webhook bodies in three get the receiver's URL; the rest keep theirs (and
    are answered 422, declared). Schemathesis revalidates a case a hook changed."""
    if (case.method.upper(), case.operation.path) not in WEBHOOK_BODIES or not WEBHOOK_RECEIVER:
        return
    if not isinstance(case.body, dict) or "url" not in case.body:
        return
    if zlib.crc32(json.dumps(case.body, sort_keys=True, default=str).encode()) % 3:
        case.body["url"] = WEBHOOK_RECEIVER


# DELETE revokes API keys and OAuth clients: a revoked credential stays readable,
# with status `revoked`, as the record of what it was (Stripe keeps revoked keys the
# same way; the key list filters by status). Schemathesis' use_after_free check
# (ST301) counts a read after DELETE as a failure; its per-operation settings do
# not reach the stateful phase, where the check runs (schemathesis 4.32), so the
# built-in check is excluded and this one runs it on every operation but these.
# DELETE on an order cancels it: the order stays readable with status `cancelled`.
# Paths under these prefixes (an order's payments, a key's usage) stay too.
KEPT_AFTER_DELETE = ("/api-keys/{keyId}", "/oauth/clients/{clientId}", "/orders/{orderId}")


@schemathesis.check
def use_after_free_except_revocations(ctx, response, case):
    if case.operation.path.startswith(KEPT_AFTER_DELETE):
        return None
    return use_after_free(ctx, response, case)
