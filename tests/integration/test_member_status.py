"""A member's status: `invited` until the invitation's link is followed, then `active`."""

from __future__ import annotations

from tests.support.people import (
    AUTH,
    as_bearer,
    link_token,
    new_password,
    only_message_to,
    unique_email,
    verified_person,
)


def test_an_invited_person_is_listed_as_invited_until_they_set_a_password(people_server, visitor):
    owner = verified_person(people_server, visitor, "owner")
    session = as_bearer(people_server, owner.tokens(visitor)["access_token"])
    organization_id = session.get(f"{AUTH}/me").json()["data"]["organizationId"]
    members = f"/api/v1/organizations/{organization_id}/members"
    email = unique_email("invitee")

    added = session.post(members, json={"email": email, "role": "developer"})

    assert added.status_code == 201, added.text
    assert added.json()["data"]["status"] == "invited"
    listed = {m["email"]: m["status"] for m in session.get(members).json()["data"]}
    assert listed == {owner.email: "active", email: "invited"}

    token = link_token(only_message_to(people_server, email), "reset-password")
    chosen = visitor.post(
        f"{AUTH}/reset-password", json={"token": token, "password": new_password()}
    )
    assert chosen.status_code == 204, chosen.text
    listed = {m["email"]: m["status"] for m in session.get(members).json()["data"]}
    assert listed[email] == "active"
