"""Accounts for people through HTTP: sign-up, verification, sign-in, sessions, /auth/me."""

from __future__ import annotations

from argon2 import PasswordHasher

from storage import UnitOfWork
from tests.support.api import PRODUCTS, assert_error
from tests.support.people import (
    AUTH,
    Person,
    as_bearer,
    link_token,
    messages_to,
    new_password,
    only_message_to,
    register,
    unique_email,
    verified_person,
)
from tests.support.records import database_of


def test_register_mails_a_link_that_verifies_and_the_token_reads_products(people_server, visitor):
    email, password = unique_email("ada"), new_password()
    answer = register(visitor, email, password)
    assert answer.status_code == 202, answer.text
    assert answer.json()["data"]["message"]

    message = only_message_to(people_server, email)
    assert message["Subject"] == "Verify your email address for Gatehouse"
    token = link_token(message, "verify-email")

    unverified = Person(email, password).login(visitor)
    assert "Verify your email" in assert_error(unverified, 403, "AUTHORIZATION_ERROR")["message"]

    assert visitor.post(f"{AUTH}/verify-email", json={"token": token}).status_code == 204
    grant = Person(email, password).tokens(visitor)
    assert grant["token_type"] == "Bearer"  # noqa: S105 (a token type, not a password)
    assert grant["expires_in"] > 0
    assert grant["refresh_token"]
    assert "products:write" in grant["scope"].split()

    products = as_bearer(people_server, grant["access_token"]).get(PRODUCTS)
    assert products.status_code == 200, products.text
    assert products.json()["data"] == []  # a brand-new organization


def test_a_verification_link_works_once(people_server, visitor):
    email = unique_email()
    register(visitor, email)
    token = link_token(only_message_to(people_server, email), "verify-email")
    assert visitor.post(f"{AUTH}/verify-email", json={"token": token}).status_code == 204
    again = visitor.post(f"{AUTH}/verify-email", json={"token": token})
    assert "token" in assert_error(again, 422, "UNPROCESSABLE")["details"]


def test_registering_a_taken_address_answers_the_same_and_warns_its_owner(people_server, visitor):
    owner = verified_person(people_server, visitor, "taken")
    fresh = register(visitor, unique_email("fresh"))
    again = register(visitor, owner.email.upper(), new_password())

    assert again.status_code == fresh.status_code == 202
    assert again.json()["data"] == fresh.json()["data"]
    subjects = [m["Subject"] for m in messages_to(people_server, owner.email)]
    assert subjects == [
        "Verify your email address for Gatehouse",
        "Someone tried to register with your address",
    ]
    # The account is untouched: the first password still signs in.
    assert owner.login(visitor).status_code == 200


def test_a_password_equal_to_the_address_or_too_short_is_refused(people_server, visitor):
    email = unique_email("policy")
    same = register(visitor, email, email)
    assert "email" in assert_error(same, 400, "VALIDATION_ERROR")["details"]["password"]
    short = register(visitor, unique_email("policy"), "short-pw")
    details = assert_error(short, 400, "VALIDATION_ERROR")["details"]
    assert details["password"] == "The value is too short"  # noqa: S105 (the rule, not a password)
    assert "short-pw" not in short.text
    assert messages_to(people_server, email) == []


def test_a_wrong_password_and_an_unknown_address_answer_alike(people_server, visitor):
    person = verified_person(people_server, visitor, "alike")
    wrong = Person(person.email, new_password()).login(visitor)
    unknown = Person(unique_email("nobody"), person.password).login(visitor)

    first = assert_error(wrong, 401, "AUTHENTICATION_ERROR")
    second = assert_error(unknown, 401, "AUTHENTICATION_ERROR")
    assert first["message"] == second["message"]
    assert set(first) == set(second)


def test_sign_in_is_case_blind_on_the_address(people_server, visitor):
    person = verified_person(people_server, visitor, "Case")
    assert Person(person.email.upper(), person.password).login(visitor).status_code == 200


def test_me_names_the_person_their_role_and_scopes(people_server, visitor):
    person = verified_person(people_server, visitor, "me")
    grant = person.tokens(visitor)
    me = as_bearer(people_server, grant["access_token"]).get(f"{AUTH}/me")
    assert me.status_code == 200, me.text
    data = me.json()["data"]
    assert data["email"] == person.email
    assert data["emailVerified"] is True
    assert data["mfaEnabled"] is False
    assert data["role"] == "owner"
    assert data["scopes"] == grant["scope"].split()
    assert [m["organizationId"] for m in data["memberships"]] == [data["organizationId"]]


def test_an_api_key_cannot_act_as_a_person(api):
    forbidden = api.get(f"{AUTH}/me")
    assert "person's access token" in assert_error(forbidden, 403, "AUTHORIZATION_ERROR")["message"]


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(people_server, visitor):
    person = verified_person(people_server, visitor, "refresh")
    first = person.tokens(visitor)
    second = visitor.post(f"{AUTH}/refresh", json={"refreshToken": first["refresh_token"]})
    assert second.status_code == 200, second.text
    assert second.headers["Cache-Control"] == "no-store"
    renewed = second.json()
    assert as_bearer(people_server, renewed["access_token"]).get(PRODUCTS).status_code == 200

    reused = visitor.post(f"{AUTH}/refresh", json={"refreshToken": first["refresh_token"]})
    assert_error(reused, 401, "AUTHENTICATION_ERROR")
    # Every token of the session is revoked, the renewed ones included.
    assert_error(
        as_bearer(people_server, renewed["access_token"]).get(PRODUCTS), 401, "AUTHENTICATION_ERROR"
    )
    later = visitor.post(f"{AUTH}/refresh", json={"refreshToken": renewed["refresh_token"]})
    assert_error(later, 401, "AUTHENTICATION_ERROR")


def test_logout_ends_the_session(people_server, visitor):
    person = verified_person(people_server, visitor, "logout")
    grant = person.tokens(visitor)
    session = as_bearer(people_server, grant["access_token"])
    assert session.post(f"{AUTH}/logout").status_code == 204

    assert_error(session.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    refreshed = visitor.post(f"{AUTH}/refresh", json={"refreshToken": grant["refresh_token"]})
    assert_error(refreshed, 401, "AUTHENTICATION_ERROR")
    # Other sessions of the person are theirs to end separately.
    assert person.login(visitor).status_code == 200


def test_a_hash_made_with_older_parameters_is_renewed_at_sign_in(people_server, visitor):
    person = verified_person(people_server, visitor, "rehash")
    older = PasswordHasher(time_cost=1, memory_cost=8192).hash(person.password)
    with database_of(people_server) as database, UnitOfWork(database.session_factory) as uow:
        uow.users.get_by_email(person.email).password_hash = older
        uow.commit()

    assert person.login(visitor).status_code == 200

    with database_of(people_server) as database, UnitOfWork(database.session_factory) as uow:
        renewed = uow.users.get_by_email(person.email).password_hash
    assert renewed != older
    assert not PasswordHasher().check_needs_rehash(renewed)
    assert person.login(visitor).status_code == 200
