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
"""

from __future__ import annotations

import json
import os
import zlib

import schemathesis
from schemathesis.specs.openapi.checks import use_after_free

from tests.support.signing import SignedKeyAuth

KEY = os.environ["GATEHOUSE_CONTRACT_KEY"]
SIGNER = SignedKeyAuth(KEY, os.environ["GATEHOUSE_CONTRACT_SECRET"])
BEARER = os.environ.get("GATEHOUSE_CONTRACT_BEARER", "")
LOGOUT_BEARER = os.environ.get("GATEHOUSE_CONTRACT_LOGOUT_BEARER", "")
# A receiver the test runs on loopback: registering a webhook sends it a test event and
# succeeds only on a 2xx, so generated URLs (which answer nothing) would never reach 201
# and the stateful phase would never get past creation.
WEBHOOK_RECEIVER = os.environ.get("GATEHOUSE_CONTRACT_WEBHOOK_URL", "")
WEBHOOK_BODIES = {("POST", "/webhooks"), ("PUT", "/webhooks/{webhookId}")}


def sign_if_ours(request):
    if request.headers.get("X-API-Key") != KEY:
        return request
    if BEARER:
        del request.headers["X-API-Key"]
        logout = LOGOUT_BEARER and request.path_url.split("?")[0].endswith("/auth/logout")
        request.headers["Authorization"] = f"Bearer {LOGOUT_BEARER if logout else BEARER}"
        return request
    return SIGNER(request)


@schemathesis.hook
def before_call(context, case, kwargs):
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
# built-in check is excluded and this one runs it on every operation but these two.
KEPT_AFTER_DELETE = ("/api-keys/{keyId}", "/oauth/clients/{clientId}")


@schemathesis.check
def use_after_free_except_revocations(ctx, response, case):
    if case.operation.path in KEPT_AFTER_DELETE:
        return None
    return use_after_free(ctx, response, case)
