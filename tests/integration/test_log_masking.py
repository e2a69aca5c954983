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

    created_id, searched_id = created.headers["X-Request-Id"], searched.headers["X-Request-Id"]
    # A request's lines are written once its answer is sent: wait for them.
    deadline = time.monotonic() + 30
    while not _logged(server.log(), created_id, searched_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    log = server.log()
    # The body was logged by the audit, the query and agent by the access log...
    assert _logged(log, created_id, searched_id)
    local, domain = body["email"].split("@")
    assert f"{local[0]}***@{domain}" in log  # ...in masked forms, not the values
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


def _logged(log: str, created_id: str, searched_id: str) -> bool:
    lines = log.splitlines()
    audited = any("audit" in line and created_id in line for line in lines)
    return audited and any(searched_id in line and "user_agent" in line for line in lines)
