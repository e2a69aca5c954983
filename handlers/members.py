"""The people of an organization: owners and admins list, add, re-role and remove them.

Managing people is a right of the owner and admin roles, not a scope: API
keys and OAuth clients act for an organization, never for its people.
"""

from __future__ import annotations

from gatehouse.context import current_services
from gatehouse.members import grant_role
from generated.models import MemberInput, MemberRoleInput
from handlers import envelope
from handlers.errors import Conflict, Forbidden, NotFound
from handlers.people import person_of
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.models import Membership, User
from storage.roles import MANAGES_MEMBERS


def list_members(token_info: dict, organization_id: str, page: int = 1, per_page: int = 20) -> dict:
    with unit_of_work() as uow:
        _manager_role(uow, token_info, organization_id)
        result = uow.users.members_page(organization_id, page=page, per_page=per_page)
        users = uow.users.get_many([m.user_id for m in result.items])
        return envelope.page([_view(users[m.user_id], m) for m in result.items], result)


def add_member(token_info: dict, organization_id: str, body: dict) -> tuple[dict, int]:
    wanted = MemberInput.model_validate(body)
    people = current_services().people
    with unit_of_work() as uow:
        role = _manager_role(uow, token_info, organization_id)
        if wanted.role == "owner" and role != "owner":
            raise Forbidden("Only an owner may add an owner.")
        existing = uow.users.get_by_email(wanted.email)
        if existing is not None and uow.users.membership(existing.id, organization_id):
            raise Conflict(f"{wanted.email} is already a member of {organization_id}.")
        added = grant_role(uow, people, organization_id, wanted.email, wanted.role, wanted.name)
        uow.commit()
        view = _view(added.user, added.membership)
    if added.invitation is not None:
        people.mailer.send(added.invitation)
    return envelope.one(view), 201


def _manager_role(uow, token_info: dict, organization_id: str) -> str:
    """The caller's role, if it may manage this organization's people; else 404 or 403."""
    user_id = person_of(token_info, "Managing people")
    # The token acts in one organization; any other is as missing as none.
    if token_info.get("org") != organization_id:
        raise NotFound("organization", organization_id)
    membership = uow.users.membership(user_id, organization_id)
    if membership is None or membership.role not in MANAGES_MEMBERS:
        raise Forbidden("Managing people needs the owner or admin role.")
    return membership.role


def _view(user: User, membership: Membership) -> dict:
    return {
        "userId": user.id,
        "email": user.email,
        "name": user.name,
        "role": membership.role,
        # What the accounts know: an invitation's link, like a verification link,
        # confirms the address.
        "status": "active" if user.email_verified_at is not None else "invited",
        "joinedAt": rfc3339(membership.created_at),
    }


def change_member_role(token_info: dict, organization_id: str, user_id: str, body: dict) -> dict:
    wanted = MemberRoleInput.model_validate(body)
    with unit_of_work() as uow:
        role = _manager_role(uow, token_info, organization_id)
        membership = _member(uow, organization_id, user_id)
        if "owner" in (membership.role, wanted.role) and role != "owner":
            raise Forbidden("Only an owner may make or unmake an owner.")
        membership.role = wanted.role
        _owners_remain(uow, organization_id, "demoted")
        uow.commit()
        return envelope.one(_view(uow.users.get(user_id), membership))


def remove_member(token_info: dict, organization_id: str, user_id: str) -> tuple[None, int]:
    with unit_of_work() as uow:
        role = _manager_role(uow, token_info, organization_id)
        membership = _member(uow, organization_id, user_id)
        if membership.role == "owner" and role != "owner":
            raise Forbidden("Only an owner may remove an owner.")
        uow.users.remove_membership(membership)
        _owners_remain(uow, organization_id, "removed")
        # Their sessions in this organization end too: being added back later
        # must not revive a token from before.
        uow.users.revoke_sessions(user_id, utcnow(), organization_id)
        uow.commit()
    return None, 204


def _member(uow, organization_id: str, user_id: str) -> Membership:
    # Locked first: two owners demoting each other at once must not leave none.
    uow.organizations.lock(organization_id)
    membership = uow.users.membership(user_id, organization_id)
    if membership is None:
        raise NotFound("member", user_id)
    return membership


def _owners_remain(uow, organization_id: str, change: str) -> None:
    """409 if the change just made (not committed) would leave the organization no owner."""
    if uow.users.owner_count(organization_id) == 0:
        raise Conflict(
            f"This is the organization's last owner, who cannot be {change}; "
            "make another member an owner first."
        )
