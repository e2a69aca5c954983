"""Password resets from the mail folder, MFA with pyotp, members and roles, clean logs."""

from __future__ import annotations

import time

import pyotp

from tests.support.api import PRODUCTS, assert_error
from tests.support.people import (
    AUTH,
    Person,
    as_bearer,
    link_token,
    messages_to,
    new_password,
    unique_email,
    verified_person,
)

KEYS = "/api/v1/api-keys"


def forgot(visitor, email: str):
    return visitor.post(f"{AUTH}/forgot-password", json={"email": email})


def reset_token(server, email: str) -> str:
    return link_token(messages_to(server, email)[-1], "reset-password")


def test_forgot_password_answers_alike_and_mails_only_an_existing_account(people_server, visitor):
    person = verified_person(people_server, visitor, "forgot")
    nobody = unique_email("nobody")
    known, unknown = forgot(visitor, person.email), forgot(visitor, nobody)

    assert known.status_code == unknown.status_code == 202
    assert known.json()["data"] == unknown.json()["data"]
    assert messages_to(people_server, nobody) == []
    latest = messages_to(people_server, person.email)[-1]
    assert latest["Subject"] == "Reset your Gatehouse password"
    # The link points at the portal of the server that sent it (GATEHOUSE_PUBLIC_URL is unset:
    # `serve` names the address it listens on).
    assert f"{people_server.url}/portal/reset-password?token=" in latest.get_content()


def test_a_reset_sets_the_password_once_and_signs_out_everywhere(people_server, visitor):
    person = verified_person(people_server, visitor, "reset")
    before = person.tokens(visitor)
    forgot(visitor, person.email)
    forgot(visitor, person.email)
    older, newest = [
        link_token(m, "reset-password") for m in messages_to(people_server, person.email)[-2:]
    ]
    password = new_password()

    done = visitor.post(f"{AUTH}/reset-password", json={"token": newest, "password": password})
    assert done.status_code == 204, done.text

    assert Person(person.email, password).login(visitor).status_code == 200
    assert_error(person.login(visitor), 401, "AUTHENTICATION_ERROR")
    # The link is spent, and the account's other reset links with it.
    for token in (newest, older):
        again = visitor.post(
            f"{AUTH}/reset-password", json={"token": token, "password": new_password()}
        )
        assert "token" in assert_error(again, 422, "UNPROCESSABLE")["details"]
    # The sessions from before the reset are over.
    assert_error(
        as_bearer(people_server, before["access_token"]).get(PRODUCTS), 401, "AUTHENTICATION_ERROR"
    )
    stale = visitor.post(f"{AUTH}/refresh", json={"refreshToken": before["refresh_token"]})
    assert_error(stale, 401, "AUTHENTICATION_ERROR")


def test_a_refused_new_password_leaves_the_link_usable(people_server, visitor):
    person = verified_person(people_server, visitor, "refused")
    forgot(visitor, person.email)
    token = reset_token(people_server, person.email)

    refused = visitor.post(
        f"{AUTH}/reset-password", json={"token": token, "password": person.email}
    )
    assert "password" in assert_error(refused, 400, "VALIDATION_ERROR")["details"]
    password = new_password()
    retried = visitor.post(f"{AUTH}/reset-password", json={"token": token, "password": password})
    assert retried.status_code == 204
    assert Person(person.email, password).login(visitor).status_code == 200


def test_mfa_once_confirmed_is_required_at_sign_in(people_server, visitor):
    person = verified_person(people_server, visitor, "mfa")
    session = as_bearer(people_server, person.tokens(visitor)["access_token"])
    setup = session.post(f"{AUTH}/mfa/enable")
    assert setup.status_code == 200, setup.text
    assert setup.headers["Cache-Control"] == "no-store"
    secret = setup.json()["data"]["secret"]
    assert setup.json()["data"]["provisioningUri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    # Pending: sign-in still works without a code.
    assert person.login(visitor).status_code == 200

    wrong = session.post(f"{AUTH}/mfa/verify", json={"code": _other_code(totp)})
    assert "code" in assert_error(wrong, 422, "UNPROCESSABLE")["details"]
    confirming = totp.now()
    assert session.post(f"{AUTH}/mfa/verify", json={"code": confirming}).status_code == 204
    assert_error(session.post(f"{AUTH}/mfa/enable"), 409, "CONFLICT")

    without = assert_error(person.login(visitor), 401, "AUTHENTICATION_ERROR")
    assert "totp" in without["message"]
    assert_error(person.login(visitor, totp=_other_code(totp)), 401, "AUTHENTICATION_ERROR")
    # A code works once: the confirming one is spent (RFC 6238 section 5.2).
    assert_error(person.login(visitor, totp=confirming), 401, "AUTHENTICATION_ERROR")
    # The next step's code is within the accepted drift, and later than any spent.
    following = totp.at(time.time() + totp.interval)
    grant = person.tokens(visitor, totp=following)
    replayed = assert_error(person.login(visitor, totp=following), 401, "AUTHENTICATION_ERROR")
    assert "already used" in replayed["message"]
    me = as_bearer(people_server, grant["access_token"])
    assert me.get(f"{AUTH}/me").json()["data"]["mfaEnabled"] is True


def test_mfa_is_turned_off_with_the_password_and_a_current_code(people_server, visitor):
    person = verified_person(people_server, visitor, "mfa-off")
    session = as_bearer(people_server, person.tokens(visitor)["access_token"])
    off = f"{AUTH}/mfa/disable"
    assert_error(
        session.post(off, json={"password": person.password, "code": "123456"}), 409, "CONFLICT"
    )
    totp = pyotp.TOTP(session.post(f"{AUTH}/mfa/enable").json()["data"]["secret"])
    assert session.post(f"{AUTH}/mfa/verify", json={"code": totp.now()}).status_code == 204
    assert_error(person.login(visitor), 401, "AUTHENTICATION_ERROR")

    wrong_code = session.post(off, json={"password": person.password, "code": _other_code(totp)})
    assert assert_error(wrong_code, 422, "UNPROCESSABLE")["details"] == {"code": "does not match"}
    later = totp.at(time.time() + totp.interval)  # the confirming code is spent
    wrong_password = session.post(off, json={"password": new_password(), "code": later})
    assert assert_error(wrong_password, 422, "UNPROCESSABLE")["details"] == {"password": "is wrong"}
    assert session.get(f"{AUTH}/me").json()["data"]["mfaEnabled"] is True

    assert session.post(off, json={"password": person.password, "code": later}).status_code == 204

    grant = person.tokens(visitor)  # no code asked for any more
    me = as_bearer(people_server, grant["access_token"]).get(f"{AUTH}/me").json()["data"]
    assert me["mfaEnabled"] is False
    # MFA can be set up again from scratch.
    assert session.post(f"{AUTH}/mfa/enable").status_code == 200


def _other_code(totp: pyotp.TOTP) -> str:
    """A well-formed code the server will not accept now (outside every nearby step)."""
    now = time.time()
    near = {totp.at(now + 30 * step) for step in range(-2, 3)}
    return next(code for code in (f"{n:06d}" for n in range(10)) if code not in near)
