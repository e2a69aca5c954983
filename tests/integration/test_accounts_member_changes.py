"""Changing a member's role and removing a member, through HTTP: who may, the last
owner's protection, and the change applying on the member's next request."""

from __future__ import annotations

from tests.integration.test_accounts_members import invite, members_path, organization_of
from tests.support.api import assert_error
from tests.support.people import AUTH, as_bearer, verified_person

KEYS = "/api/v1/api-keys"
NOBODY = "usr_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"


def member_path(organization_id: str, user_id: str) -> str:
    return f"{members_path(organization_id)}/{user_id}"


def signed_in(server, visitor, person):
    """The person's session and their user id."""
    session = as_bearer(server, person.tokens(visitor)["access_token"])
    return session, session.get(f"{AUTH}/me").json()["data"]["id"]


def test_a_demoted_developer_loses_keys_manage_on_the_next_request(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    as_owner, _ = signed_in(people_server, visitor, owner)
    developer = invite(people_server, visitor, organization_id, "developer")
    as_developer, developer_id = signed_in(people_server, visitor, developer)
    assert as_developer.post(KEYS, json={"name": "Before"}).status_code == 201

    changed = as_owner.put(member_path(organization_id, developer_id), json={"role": "viewer"})

    assert changed.status_code == 200, changed.text
    assert (changed.json()["data"]["userId"], changed.json()["data"]["role"]) == (
        developer_id,
        "viewer",
    )
    # The same access token, one request later.
    refused = as_developer.post(KEYS, json={"name": "After"})
    assert "keys:manage" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
    assert as_developer.get(f"{AUTH}/me").json()["data"]["role"] == "viewer"


def test_a_removed_members_token_is_refused_on_the_next_request(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    as_owner, _ = signed_in(people_server, visitor, owner)
    admin = invite(people_server, visitor, organization_id, "admin")
    as_admin, admin_id = signed_in(people_server, visitor, admin)
    assert as_admin.get(members_path(organization_id)).status_code == 200

    removed = as_owner.delete(member_path(organization_id, admin_id))

    assert removed.status_code == 204, removed.text
    assert removed.content == b""
    assert_error(as_admin.get(members_path(organization_id)), 401, "AUTHENTICATION_ERROR")
    listed = as_owner.get(members_path(organization_id)).json()["data"]
    assert [m["email"] for m in listed] == [owner.email]
    # Gone is gone: a second removal, or a role for the former member, finds nobody.
    assert_error(as_owner.delete(member_path(organization_id, admin_id)), 404, "NOT_FOUND")
    again = as_owner.put(member_path(organization_id, admin_id), json={"role": "viewer"})
    assert_error(again, 404, "NOT_FOUND")
    # Added back, they sign in afresh: the token from before stays refused.
    back = as_owner.post(
        members_path(organization_id), json={"email": admin.email, "role": "admin"}
    )
    assert back.status_code == 201, back.text
    assert_error(as_admin.get(members_path(organization_id)), 401, "AUTHENTICATION_ERROR")
    assert signed_in(people_server, visitor, admin)[0].get(members_path(organization_id)).ok


def test_the_last_owner_can_be_neither_demoted_nor_removed(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    as_owner, owner_id = signed_in(people_server, visitor, owner)
    path = member_path(organization_id, owner_id)

    demoted = as_owner.put(path, json={"role": "admin"})
    assert "last owner" in assert_error(demoted, 409, "CONFLICT")["message"]
    removed = as_owner.delete(path)
    assert "last owner" in assert_error(removed, 409, "CONFLICT")["message"]
    assert as_owner.get(f"{AUTH}/me").json()["data"]["role"] == "owner"

    # With a second owner, the first may step down; then the second is the last.
    second = invite(people_server, visitor, organization_id, "developer")
    as_second, second_id = signed_in(people_server, visitor, second)
    promoted = as_owner.put(member_path(organization_id, second_id), json={"role": "owner"})
    assert promoted.json()["data"]["role"] == "owner", promoted.text
    assert as_owner.put(path, json={"role": "developer"}).status_code == 200
    last = as_second.delete(member_path(organization_id, second_id))
    assert_error(last, 409, "CONFLICT")


def test_an_admin_cannot_touch_owners_nor_make_one(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    _, owner_id = signed_in(people_server, visitor, owner)
    admin = invite(people_server, visitor, organization_id, "admin")
    as_admin, _ = signed_in(people_server, visitor, admin)
    viewer = invite(people_server, visitor, organization_id, "viewer")
    as_viewer, viewer_id = signed_in(people_server, visitor, viewer)

    for refused in (
        as_admin.put(member_path(organization_id, owner_id), json={"role": "viewer"}),
        as_admin.delete(member_path(organization_id, owner_id)),
        as_admin.put(member_path(organization_id, viewer_id), json={"role": "owner"}),
    ):
        assert "owner" in assert_error(refused, 403, "AUTHORIZATION_ERROR")["message"]
    # Below owner, an admin manages roles; a viewer manages nobody.
    changed = as_admin.put(member_path(organization_id, viewer_id), json={"role": "developer"})
    assert changed.json()["data"]["role"] == "developer", changed.text
    assert_error(
        as_viewer.delete(member_path(organization_id, owner_id)), 403, "AUTHORIZATION_ERROR"
    )
    roles = {
        m["email"]: m["role"] for m in as_admin.get(members_path(organization_id)).json()["data"]
    }
    assert roles == {owner.email: "owner", admin.email: "admin", viewer.email: "developer"}


def test_members_of_another_organization_or_nobody_are_not_found(people_server, visitor, api):
    owner = verified_person(people_server, visitor, "owner")
    organization_id = organization_of(people_server, owner, visitor)
    as_owner, owner_id = signed_in(people_server, visitor, owner)
    stranger = verified_person(people_server, visitor, "stranger")
    as_stranger, _ = signed_in(people_server, visitor, stranger)

    assert_error(as_owner.delete(member_path(organization_id, NOBODY)), 404, "NOT_FOUND")
    unrelated = as_stranger.put(member_path(organization_id, owner_id), json={"role": "viewer"})
    assert_error(unrelated, 404, "NOT_FOUND")
    # An API key acts for an organization, never for its people.
    assert_error(api.delete(member_path(organization_id, owner_id)), 403, "AUTHORIZATION_ERROR")
    invalid = as_owner.put(member_path(organization_id, owner_id), json={"role": "root"})
    assert_error(invalid, 400, "VALIDATION_ERROR")
