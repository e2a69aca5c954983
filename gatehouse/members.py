"""Giving people a role in an organization (the CLI's `users add`, the members API).

A new person is created without a usable password and invited: the mail
carries a reset-password link, and following it sets the password and
verifies the address at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from gatehouse.people import INVITATION_HOURS, PeopleServices
from storage import UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.models import Membership, User
from storage.roles import ROLES
from storage.users import RESET_PASSWORD, canonical_email


@dataclass(frozen=True)
class Added:
    user: User
    membership: Membership
    invitation: EmailMessage | None  # to send once committed; None for an existing account


def grant_role(
    uow: UnitOfWork,
    people: PeopleServices,
    organization_id: str,
    email: str,
    role: str,
    name: str | None = None,
) -> Added:
    """Give `email` the `role` in the organization, creating and inviting the person if new."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    local, at, domain = email.strip().partition("@")
    if not (local and at and domain) or any(c.isspace() or c == "\x00" for c in email.strip()):
        raise ValueError(f"{email!r} is not an email address")
    organization = uow.organizations.get(organization_id)
    if organization is None:
        raise LookupError(f"No organization {organization_id}.")
    now = utcnow()
    user = uow.users.get_by_email(email)
    invitation = None
    if user is None:
        user = User(
            id=new_id("usr"),
            email=email.strip(),
            email_canonical=canonical_email(email),
            name=name or email.strip().partition("@")[0],
            # Nobody knows this password: the invitation's link sets the real one.
            password_hash=people.passwords.hash(secrets.token_urlsafe(32)),
            status="active",
            created_at=now,
            updated_at=now,
        )
        uow.users.add(user)
        uow.session.flush()
        token = uow.users.issue_token(
            user.id, RESET_PASSWORD, now, timedelta(hours=INVITATION_HOURS)
        )
        invitation = people.invitation_letter(user.email, organization.name, role, token)
    membership = uow.users.membership(user.id, organization_id)
    if membership is None:
        membership = Membership(
            user_id=user.id, organization_id=organization_id, role=role, created_at=now
        )
        uow.users.add_membership(membership)
    else:
        membership.role = role
    return Added(user, membership, invitation)
