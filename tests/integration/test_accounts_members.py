"""Roles through HTTP: a viewer added with the CLI can read but cannot create a key."""

from __future__ import annotations

import json

from tests.support.api import PRODUCTS, assert_error
from tests.support.cli import run_cli
from tests.support.people import (
    AUTH,
    Person,
    as_bearer,
    link_token,
    new_password,
    only_message_to,
    register,
    unique_email,
    verified_person,
)

KEYS = "/api/v1/api-keys"


def organization_of(server, person: Person, visitor) -> str:
    session = as_bearer(server, person.tokens(visitor)["access_token"])
    return session.get(f"{AUTH}/me").json()["data"]["organizationId"]


def invite(server, visitor, organization_id: str, role: str) -> Person:
    """Add a new person with the CLI and set their password from the invitation's link."""
    email = unique_email(role)
    added = run_cli(
        server, "users", "add", "--org", organization_id, "--email", email, "--role", role, "--json"
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["invited"] is True
    token = link_token(only_message_to(server, email), "reset-password")
    person = Person(email, new_password())
    chosen = visitor.post(
        f"{AUTH}/reset-password", json={"token": token, "password": person.password}
    )
    assert chosen.status_code == 204, chosen.text
    return person


def test_a_viewer_reads_but_cannot_create_a_key(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    viewer = invite(people_server, visitor, organization_id, "viewer")

    grant = viewer.tokens(visitor)
    assert grant["scope"].split() == [
        "products:read",
        "orders:read",
        "customers:read",
        "inventory:read",
        "usage:read",
        "support:read",
    ]
    session = as_bearer(people_server, grant["access_token"])
    assert session.get(PRODUCTS).status_code == 200
    refused = session.post(KEYS, json={"name": "Not allowed"})
    assert "keys:manage" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
    me = session.get(f"{AUTH}/me").json()["data"]
    assert (me["role"], me["organizationId"]) == ("viewer", organization_id)


def test_a_developer_creates_keys_and_a_role_change_applies_on_the_next_request(
    people_server, visitor
):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    developer = invite(people_server, visitor, organization_id, "developer")
    session = as_bearer(people_server, developer.tokens(visitor)["access_token"])
    assert session.post(KEYS, json={"name": "Built by a developer"}).status_code == 201

    demoted = run_cli(
        people_server,
        "users",
        "add",
        "--org",
        organization_id,
        "--email",
        developer.email,
        "--role",
        "viewer",
    )
    assert demoted.returncode == 0, demoted.stderr
    # The same token, one request later: the role's scopes are looked up on every request.
    refused = session.post(KEYS, json={"name": "No longer"})
    assert "keys:manage" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]


def test_a_person_in_two_organizations_chooses_one_at_sign_in(people_server, visitor):
    first = verified_person(people_server, visitor, "first")
    second = verified_person(people_server, visitor, "second")
    first_org = organization_of(people_server, first, visitor)
    second_org = organization_of(people_server, second, visitor)
    added = run_cli(
        people_server,
        "users",
        "add",
        "--org",
        second_org,
        "--email",
        first.email,
        "--role",
        "viewer",
    )
    assert added.returncode == 0, added.stderr

    default = as_bearer(people_server, first.tokens(visitor)["access_token"])
    assert default.get(f"{AUTH}/me").json()["data"]["organizationId"] == first_org
    chosen = as_bearer(
        people_server, first.tokens(visitor, organizationId=second_org)["access_token"]
    )
    me = chosen.get(f"{AUTH}/me").json()["data"]
    assert (me["organizationId"], me["role"]) == (second_org, "viewer")
    assert {m["organizationId"] for m in me["memberships"]} == {first_org, second_org}

    stranger = verified_person(people_server, visitor, "stranger")
    refused = stranger.login(visitor, organizationId=first_org)
    assert first_org in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]


def test_passwords_never_reach_the_log(people_server, visitor):
    email, password, wrong = unique_email("logs"), new_password(), new_password()
    register(visitor, email, password)
    Person(email, wrong).login(visitor)
    token = link_token(only_message_to(people_server, email), "verify-email")
    visitor.post(f"{AUTH}/verify-email", json={"token": token})
    assert Person(email, password).login(visitor).status_code == 200

    log = people_server.log()
    assert "/api/v1/auth/login" in log  # the requests were logged...
    assert password not in log  # ...without the passwords
    assert wrong not in log
    assert token not in log


def members_path(organization_id: str) -> str:
    return f"/api/v1/organizations/{organization_id}/members"


def test_an_owner_adds_people_through_the_api_and_they_are_invited(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    email = unique_email("grace")

    added = session.post(members_path(organization_id), json={"email": email, "role": "admin"})
    assert added.status_code == 201, added.text
    assert (added.json()["data"]["email"], added.json()["data"]["role"]) == (email, "admin")
    again = session.post(members_path(organization_id), json={"email": email, "role": "viewer"})
    assert_error(again, 409, "CONFLICT")

    message = only_message_to(people_server, email)
    assert message["Subject"] == "You were added to Analytical Engines on Gatehouse"
    assert "as admin" in message.get_content()
    admin = Person(email, new_password())
    token = link_token(message, "reset-password")
    visitor.post(f"{AUTH}/reset-password", json={"token": token, "password": admin.password})
    as_admin = as_bearer(people_server, admin.tokens(visitor)["access_token"])

    listed = as_admin.get(members_path(organization_id))
    assert listed.status_code == 200, listed.text
    assert [(m["email"], m["role"]) for m in listed.json()["data"]] == [
        (owner.email, "owner"),
        (email, "admin"),
    ]
    # An admin adds developers and viewers, but not owners.
    refused = as_admin.post(
        members_path(organization_id), json={"email": unique_email(), "role": "owner"}
    )
    assert "owner" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]


def test_members_are_managed_by_owners_and_admins_of_that_organization_only(
    people_server, visitor, api
):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    viewer = invite(people_server, visitor, organization_id, "viewer")
    as_viewer = as_bearer(people_server, viewer.tokens(visitor)["access_token"])
    assert_error(as_viewer.get(members_path(organization_id)), 403, "AUTHORIZATION_ERROR")

    stranger = verified_person(people_server, visitor, "stranger")
    as_stranger = as_bearer(people_server, stranger.tokens(visitor)["access_token"])
    assert_error(as_stranger.get(members_path(organization_id)), 404, "NOT_FOUND")
    # An API key acts for an organization, never for its people.
    assert_error(api.get(members_path(organization_id)), 403, "AUTHORIZATION_ERROR")


def test_the_cli_lists_people_and_refuses_an_unknown_organization(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    viewer = invite(people_server, visitor, organization_id, "viewer")

    listed = run_cli(people_server, "users", "list", "--org", organization_id, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(p["email"], p["role"]) for p in json.loads(listed.stdout)] == [
        (owner.email, "owner"),
        (viewer.email, "viewer"),
    ]
    missing = "org_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"
    refused = run_cli(
        people_server,
        "users",
        "add",
        "--org",
        missing,
        "--email",
        unique_email(),
        "--role",
        "admin",
    )
    assert refused.returncode != 0
    assert f"No organization {missing}" in refused.stderr
