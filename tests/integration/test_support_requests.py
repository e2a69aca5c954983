"""Support requests through HTTP: stored, listed newest first, mailed to the desk and
acknowledged to a person after the commit; kept when the mail fails."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest

from storage.models import SupportRequest
from tests.integration.test_accounts_members import invite, organization_of
from tests.support.api import BaseUrlSession, assert_error
from tests.support.people import as_bearer, messages_to, verified_person
from tests.support.records import database_of, issue_key
from tests.support.server import LiveServer

SUPPORT = "/api/v1/support/requests"
DESK = "support@gatehouse.localhost"  # GATEHOUSE_SUPPORT_EMAIL's default
SUPPORT_ID = re.compile(r"^sup_[0-9A-HJKMNP-TV-Z]{26}$")


def desk_mail(server, support_id: str) -> list:
    return [m for m in messages_to(server, DESK) if support_id in m["Subject"]]


def notified_at(server, support_id: str):
    """When the desk's mail was handed over: None for a request that was not mailed."""
    with database_of(server) as database, database.session() as session:
        return session.get(SupportRequest, support_id).notified_at


def request_body(**fields) -> dict:
    body = {
        "subject": f"Orders answer 500 {uuid.uuid4().hex[:6]}",
        "category": "bug",
        "message": "Listing orders with sort=total fails.\nSince this morning.",
        "requestId": "req_01JD7X3M2Q4W8Y6Z0A1B2C3D4E",
    }
    return body | fields


def test_a_person_sends_a_request_it_is_stored_mailed_and_acknowledged(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    body = request_body()

    sent = session.post(SUPPORT, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})

    assert sent.status_code == 201, sent.text
    stored = sent.json()["data"]
    assert SUPPORT_ID.match(stored["id"])
    assert {k: stored[k] for k in body} == body
    assert stored["sender"]["type"] == "user"
    assert stored["sender"]["email"] == owner.email
    (to_desk,) = desk_mail(people_server, stored["id"])
    assert body["subject"] in to_desk["Subject"]
    assert to_desk["Reply-To"] == owner.email
    text = to_desk.get_content()
    assert body["message"] in text and body["requestId"] in text
    (receipt,) = messages_to(people_server, owner.email)[1:]  # after the verification mail
    assert stored["id"] in receipt.get_content() and body["message"] in receipt.get_content()
    assert session.get(f"{SUPPORT}/{stored['id']}").json()["data"] == stored
    assert notified_at(people_server, stored["id"]) is not None


def test_a_replayed_idempotency_key_answers_the_same_request_and_mails_nothing_more(
    people_server, visitor
):
    owner = verified_person(people_server, visitor, "owner")
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = session.post(SUPPORT, json=request_body(subject="Once only"), headers=key)
    again = session.post(SUPPORT, json=request_body(subject="Once only"), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert len(desk_mail(people_server, first.json()["data"]["id"])) == 1
    assert session.get(SUPPORT).json()["pagination"]["total"] == 1


def test_the_list_is_the_organizations_newest_first_and_others_are_missing(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    ids = [session.post(SUPPORT, json=request_body()).json()["data"]["id"] for _ in range(3)]

    listed = session.get(SUPPORT, params={"perPage": 2})
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["data"]] == ids[::-1][:2]
    assert listed.json()["pagination"] == {"page": 1, "perPage": 2, "total": 3, "totalPages": 2}

    stranger = verified_person(people_server, visitor, "stranger")
    theirs = as_bearer(people_server, stranger.tokens(visitor)["access_token"])
    assert theirs.get(SUPPORT).json()["data"] == []
    assert_error(theirs.get(f"{SUPPORT}/{ids[0]}"), 404, "NOT_FOUND")


def test_a_key_sends_one_the_desk_answers_the_owners_and_nobody_is_acknowledged(
    people_server, visitor
):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    key = issue_key(people_server, organization_id, name="Support bot")
    signed = BaseUrlSession(people_server.url, key.auth)

    sent = signed.post(SUPPORT, json=request_body(category="question"))

    assert sent.status_code == 201, sent.text
    stored = sent.json()["data"]
    assert stored["sender"] == {"type": "api_key", "id": key.key_id, "email": None}
    (to_desk,) = desk_mail(people_server, stored["id"])
    assert to_desk["Reply-To"] == owner.email
    assert key.key_id in to_desk.get_content()
    assert len(messages_to(people_server, owner.email)) == 1  # only the verification mail


def test_every_invalid_field_is_named(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    bad = {"subject": "   ", "category": "complaint", "requestId": "not an id!"}
    error = assert_error(session.post(SUPPORT, json=bad), 400, "VALIDATION_ERROR")
    assert {"subject", "category", "message", "requestId"} <= {
        path.removeprefix("body.") for path in error["details"]
    }
    assert session.get(SUPPORT).json()["pagination"]["total"] == 0


def test_a_viewer_reads_the_requests_but_cannot_send_one(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    as_bearer(people_server, owner.tokens(visitor)["access_token"]).post(
        SUPPORT, json=request_body()
    )
    viewer = invite(people_server, visitor, organization_id, "viewer")
    session = as_bearer(people_server, viewer.tokens(visitor)["access_token"])
    refused = session.post(SUPPORT, json=request_body())
    assert "support:write" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
    assert session.get(SUPPORT).json()["pagination"]["total"] == 1


def test_a_key_without_the_support_scopes_is_refused(server, tenant):
    narrow = issue_key(server, tenant.organization_id, scopes=["products:read"])
    signed = BaseUrlSession(server.url, narrow.auth)
    assert (
        "support:read" in assert_error(signed.get(SUPPORT), 403, "AUTHORIZATION_ERROR")["message"]
    )
    refused = signed.post(SUPPORT, json=request_body())
    assert "support:write" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]


@pytest.fixture
def server_that_cannot_mail(backend, server, tmp_path):
    """A server on the shared database (and its secret key) whose mail folder is a file:
    every send fails."""
    if backend != "sqlite":
        pytest.skip("the mailer's failure does not depend on the database")
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copy(Path(server.env["GATEHOUSE_VAR_DIR"]) / "secret.key", var_dir)
    (var_dir / "mail").write_text("not a folder")
    env = {"DATABASE_URL": server.env["DATABASE_URL"], "GATEHOUSE_VAR_DIR": str(var_dir)}
    live = LiveServer(env, tmp_path / "log").start()
    yield live
    live.stop()


def test_a_request_whose_mail_fails_is_kept_and_logged(server_that_cannot_mail, tenant):
    signed = BaseUrlSession(server_that_cannot_mail.url, tenant.auth)
    sent = signed.post(SUPPORT, json=request_body(message="Stored even so."))
    assert sent.status_code == 201, sent.text
    stored = sent.json()["data"]
    assert signed.get(f"{SUPPORT}/{stored['id']}").json()["data"] == stored
    (line,) = [
        line
        for line in server_that_cannot_mail.log().splitlines()
        if "support request stored but not mailed" in line
    ]
    assert stored["id"] in line and "Stored even so." not in line
    assert notified_at(server_that_cannot_mail, stored["id"]) is None
    assert not Path(server_that_cannot_mail.env["GATEHOUSE_VAR_DIR"], "mail").is_dir()
