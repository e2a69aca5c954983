"""The audit log through HTTP: who did what, from where, how it ended; masked; filtered;
readable by owners, admins and keys with audit:read only."""

from __future__ import annotations

import time

from tests.integration.test_accounts_members import invite, organization_of
from tests.support.api import PRODUCTS, BaseUrlSession, assert_error, product_body
from tests.support.customers import ADDRESS, CUSTOMERS, customer_body
from tests.support.people import as_bearer, verified_person
from tests.support.records import issue_key

AUDIT = "/api/v1/audit-events"
KEYS = "/api/v1/api-keys"
MISSING_KEY = "key_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"


def events(session, expected: int, **params) -> list[dict]:
    """The events matching `params` once `expected` of them are there with their status
    (filled in once the answer is sent); whatever is there at the deadline otherwise."""
    deadline = time.monotonic() + 30
    while True:
        response = session.get(AUDIT, params={"perPage": 100, **params})
        assert response.status_code == 200, response.text
        found = response.json()["data"]
        done = len(found) >= expected and all(e["status"] is not None for e in found)
        if done or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def fresh_organization(server) -> BaseUrlSession:
    """A new organization's session signing with a key holding every scope."""
    return BaseUrlSession(server.url, server.new_tenant("Audited").auth)


def test_a_key_revocation_is_audited_with_the_actors_email_masked(people_server, visitor):
    owner = verified_person(people_server, visitor, "auditor")
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    created = session.post(KEYS, json={"name": "To revoke"})
    assert created.status_code == 201, created.text
    key_id = created.json()["data"]["id"]
    revoked = session.delete(f"{KEYS}/{key_id}")
    assert revoked.status_code == 204

    [event] = events(session, 1, action="revoke_api_key", resourceId=key_id)
    local, domain = owner.email.split("@")
    assert event["actor"]["type"] == "user"
    assert event["actor"]["email"] == f"{local[0]}***@{domain}"
    assert event["actor"]["id"].startswith("usr_")
    assert event["resource"] == {"type": "api-keys", "id": key_id}
    assert (event["outcome"], event["committed"], event["status"]) == ("success", True, 204)
    assert (event["method"], event["path"]) == ("DELETE", f"{KEYS}/{key_id}")
    assert event["requestId"] == revoked.headers["X-Request-Id"]
    assert event["clientAddress"] == "127.0.0.1"

    # The creation names the key it created, from the answer.
    [creation] = events(session, 1, action="create_api_key", resourceId=key_id)
    assert (creation["outcome"], creation["status"]) == ("success", 201)
    one = session.get(f"{AUDIT}/{event['id']}")
    assert one.status_code == 200
    assert one.json()["data"] == event
    listing = session.get(AUDIT, params={"perPage": 100})
    assert owner.email not in listing.text


def test_a_failed_mutating_call_is_audited_with_its_outcome(server):
    session = fresh_organization(server)
    refused = session.delete(f"{KEYS}/{MISSING_KEY}")
    assert refused.status_code == 404

    [event] = events(session, 1, outcome="failure")
    assert event["action"] == "revoke_api_key"
    assert (event["outcome"], event["committed"], event["status"]) == ("failure", False, 404)
    assert event["resource"] == {"type": "api-keys", "id": MISSING_KEY}
    assert event["actor"]["type"] == "api_key"
    assert event["actor"]["email"] is None


def test_a_rolled_back_action_is_never_recorded_as_a_success(server, prefix):
    session = fresh_organization(server)
    body = product_body(f"{prefix}-dup")
    first = session.post(PRODUCTS, json=body)
    assert first.status_code == 201
    # The second insert fails at the flush: its event and its outbox record roll back.
    assert session.post(PRODUCTS, json=body).status_code == 409

    found = events(session, 2, action="create_product")
    outcomes = sorted((e["outcome"], e["committed"], e["status"]) for e in found)
    assert outcomes == [("failure", False, 409), ("success", True, 201)]
    [success] = [e for e in found if e["outcome"] == "success"]
    assert success["resource"]["id"] == first.json()["data"]["id"]


def test_a_replayed_answer_is_not_a_second_action(server, prefix):
    session = fresh_organization(server)
    body, key = product_body(f"{prefix}-once"), {"Idempotency-Key": f"{prefix}-key"}
    first = session.post(PRODUCTS, json=body, headers=key)
    again = session.post(PRODUCTS, json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"

    found = events(session, 2, action="create_product")
    kinds = sorted((e["committed"], (e["details"] or {}).get("replayed", False)) for e in found)
    assert kinds == [(False, True), (True, False)]
    assert {e["resource"]["id"] for e in found} == {first.json()["data"]["id"]}


def test_personal_data_in_a_request_is_masked(server, prefix):
    session = fresh_organization(server)
    body = customer_body(prefix, phone="+442079460000", addresses=[ADDRESS])
    assert session.post(CUSTOMERS, json=body).status_code == 201

    [event] = events(session, 1, action="create_customer")
    request = event["details"]["request"]
    local, domain = body["email"].split("@")
    assert request["email"] == f"{local[0]}***@{domain}"
    assert request["firstName"] == request["lastName"] == request["phone"] == "***"
    assert request["addresses"] == "***"
    text = session.get(f"{AUDIT}/{event['id']}").text
    for value in (body["email"], body["lastName"], "+442079460000", ADDRESS["line1"]):
        assert value not in text


def test_listing_filters_sorts_and_pages(server, prefix):
    session = fresh_organization(server)
    assert session.post(PRODUCTS, json=product_body(f"{prefix}-a")).status_code == 201
    assert session.post(PRODUCTS, json={}).status_code == 400
    assert session.delete(f"{KEYS}/{MISSING_KEY}").status_code == 404
    assert len(events(session, 3)) == 3

    assert len(events(session, 2, action="create_product")) == 2
    assert len(events(session, 1, action="revoke_api_key")) == 1
    assert {e["status"] for e in events(session, 2, outcome="failure")} == {400, 404}
    assert [e["status"] for e in events(session, 1, outcome="success")] == [201]
    assert [e["action"] for e in events(session, 1, resourceType="api-keys")] == ["revoke_api_key"]
    assert events(session, 0, createdAfter="2999-01-01T00:00:00Z") == []

    newest_first = [e["createdAt"] for e in events(session, 3)]
    assert newest_first == sorted(newest_first, reverse=True)
    by_action = [e["action"] for e in events(session, 3, sort="action", order="asc")]
    assert by_action == ["create_product", "create_product", "revoke_api_key"]

    page = session.get(AUDIT, params={"perPage": 2, "page": 2}).json()
    assert page["pagination"] == {"page": 2, "perPage": 2, "total": 3, "totalPages": 2}
    assert len(page["data"]) == 1


def test_a_key_without_audit_read_is_refused(server, tenant, other_tenant):
    narrow = issue_key(server, tenant.organization_id, scopes=["usage:read", "keys:manage"])
    session = BaseUrlSession(server.url, narrow.auth)
    refused = session.get(AUDIT)
    assert "audit:read" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
    assert session.get(f"{AUDIT}/aud_01JD7X3M2Q4W8Y6Z0A1B2C3D4E").status_code == 403
    # Nor can it hand the scope on to a key it creates.
    handed = session.post(KEYS, json={"name": "Escalation", "scopes": ["audit:read"]})
    assert_error(handed, 403, "AUTHORIZATION_ERROR")

    # Another organization's event is missing, as a missing one is.
    mine = fresh_organization(server)
    assert mine.delete(f"{KEYS}/{MISSING_KEY}").status_code == 404
    [event] = events(mine, 1)
    stranger = BaseUrlSession(server.url, other_tenant.auth)
    assert_error(stranger.get(f"{AUDIT}/{event['id']}"), 404, "NOT_FOUND")


def test_only_owners_and_admins_read_the_log(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    as_owner = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    assert as_owner.get(AUDIT).status_code == 200
    for role, allowed in (("admin", True), ("developer", False), ("viewer", False)):
        person = invite(people_server, visitor, organization_id, role)
        grant = person.tokens(visitor)
        assert ("audit:read" in grant["scope"].split()) is allowed
        answer = as_bearer(people_server, grant["access_token"]).get(AUDIT)
        assert answer.status_code == (200 if allowed else 403), (role, answer.text)


def test_a_resource_under_a_two_word_path_is_named_by_both_words(server):
    session = fresh_organization(server)
    body = {"subject": "Audit", "category": "question", "message": "Who logs this?"}
    sent = session.post("/api/v1/support/requests", json=body)
    assert sent.status_code == 201, sent.text
    [event] = events(session, 1, action="create_support_request")
    # `requests` alone would say nothing: the resource is a support request.
    assert event["resource"] == {"type": "support-requests", "id": sent.json()["data"]["id"]}
    assert events(session, 1, resourceType="support-requests")[0]["id"] == event["id"]
