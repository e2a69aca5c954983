"""Schemathesis hooks: sign every request that carries our API key.

Auth hooks do not see the serialized body (schemathesis#2329), so signing is a
`requests` auth object, which runs on the final bytes. Requests without our key
(Schemathesis' own no-auth and bad-auth probes) are left unsigned, as an
attacker's would be.

In the Bearer run (GATEHOUSE_CONTRACT_BEARER set) the same requests carry the
access token instead of the key, so every operation is exercised through the
OAuth2 alternative of its security requirement, probes included.
"""

from __future__ import annotations

import os

import schemathesis

from tests.support.signing import SignedKeyAuth

KEY = os.environ["GATEHOUSE_CONTRACT_KEY"]
SIGNER = SignedKeyAuth(KEY, os.environ["GATEHOUSE_CONTRACT_SECRET"])
BEARER = os.environ.get("GATEHOUSE_CONTRACT_BEARER", "")


def sign_if_ours(request):
    if request.headers.get("X-API-Key") != KEY:
        return request
    if BEARER:
        del request.headers["X-API-Key"]
        request.headers["Authorization"] = f"Bearer {BEARER}"
        return request
    return SIGNER(request)


@schemathesis.hook
def before_call(context, case, kwargs):
    kwargs["auth"] = sign_if_ours
