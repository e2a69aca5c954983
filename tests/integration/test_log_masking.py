"""Every log line of a real server is masked: personal data and secrets sent in requests
(bodies, query strings, headers) never reach the log, their masked forms do."""

from __future__ import annotations

import time

from tests.support.api import PRODUCTS
from tests.support.customers import ADDRESS, CUSTOMERS, customer_body

BEARER = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcmdfMSJ9.c2lnbmF0dXJlLXZhbHVl"
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - a fake, to be masked


def test_personal_data_and_secrets_never_reach_the_log(api, server, prefix):
    body = customer_body(prefix, phone="+442079461234", addresses=[ADDRESS])
    created = api.post(CUSTOMERS, json=body)
    assert created.status_code == 201, created.text
    searched = api.get(
        PRODUCTS,
        params={"q": body["email"]},
        headers={"User-Agent": f"probe/1.0 (Bearer {BEARER}; {WEBHOOK_SECRET})"},
    )
    assert searched.status_code == 200

    request_id = created.headers["X-Request-Id"]
    deadline = time.monotonic() + 30
    # The audit line of the creation is written once its answer is sent.
    while "audit" not in _lines_of(server.log(), request_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    log = server.log()
    assert "audit" in _lines_of(log, request_id)  # the body was logged, by the audit...
    assert searched.headers["X-Request-Id"] in log  # ...and the query and agent, by the access log
    local, domain = body["email"].split("@")
    assert f"{local[0]}***@{domain}" in log  # masked forms, not the values
    for value in (
        body["email"],
        body["lastName"],
        "+442079461234",
        ADDRESS["line1"],
        BEARER,
        WEBHOOK_SECRET,
        api.auth.secret,
    ):
        assert value not in log, value


def _lines_of(log: str, request_id: str) -> str:
    return "\n".join(line for line in log.splitlines() if request_id in line)
