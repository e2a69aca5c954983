"""People: users, their memberships (roles) and their mailed one-time tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import Membership, OneTimeToken, TokenFamily, User
from storage.paging import Page, paginate
from storage.roles import scopes_for

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 (a link purpose, not a password)


def canonical_email(email: str) -> str:
    """The form an address is looked up by: one account per address, whatever its case."""
    return email.strip().casefold()


def hash_one_time_token(token: str) -> str:
    # 256 random bits: a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User) -> None:
        self.session.add(user)

    def get(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def get_by_email(self, email: str) -> User | None:
        return self.session.scalar(
            select(User).where(User.email_canonical == canonical_email(email))
        )

    # Memberships

    def add_membership(self, membership: Membership) -> None:
        self.session.add(membership)

    def membership(self, user_id: str, organization_id: str) -> Membership | None:
        return self.session.get(Membership, (user_id, organization_id))

    def remove_membership(self, membership: Membership) -> None:
        self.session.delete(membership)

    def owner_count(self, organization_id: str) -> int:
        """Owners of the organization, counting this transaction's pending changes."""
        self.session.flush()
        statement = select(func.count()).where(
            Membership.organization_id == organization_id, Membership.role == "owner"
        )
        return self.session.scalar(statement)

    def memberships_of(self, user_id: str) -> list[Membership]:
        statement = (
            select(Membership)
            .where(Membership.user_id == user_id)
            .order_by(Membership.created_at, Membership.organization_id)
        )
        return list(self.session.scalars(statement))

    def members_of(self, organization_id: str) -> list[Membership]:
        return list(self.session.scalars(_members(organization_id)))

    def members_page(self, organization_id: str, *, page: int, per_page: int) -> Page[Membership]:
        return paginate(self.session, _members(organization_id), page=page, per_page=per_page)

    def owner_emails(self, organization_id: str) -> list[str]:
        """The addresses of the organization's owners, longest-standing first."""
        statement = (
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id, Membership.role == "owner")
            .order_by(Membership.created_at, Membership.user_id)
        )
        return list(self.session.scalars(statement))

    def get_many(self, user_ids: list[str]) -> dict[str, User]:
        found = self.session.scalars(select(User).where(User.id.in_(user_ids)))
        return {user.id: user for user in found}

    def current_scopes(self, user_id: str, organization_id: str) -> list[str] | None:
        """The scopes the user's role grants in the organization now.

        None when the user is gone or disabled or is not a member: the bearer
        check asks this on every request, so a role change or a removal takes
        effect on the next one.
        """
        row = self.session.execute(
            select(User.status, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(User.id == user_id, Membership.organization_id == organization_id)
        ).first()
        if row is None or row.status != "active":
            return None
        return scopes_for(row.role)

    def spend_totp_step(self, user_id: str, step: int) -> bool:
        """Record `step` as used; False if it or a later one was (a replayed code).

        The conditional UPDATE keeps a code single use even when two sign-ins race.
        """
        spent = self.session.execute(
            update(User)
            .where(User.id == user_id)
            .where(User.totp_last_step.is_(None) | (User.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return spent.rowcount == 1

    # Sessions

    def revoke_sessions(
        self, user_id: str, moment: datetime, organization_id: str | None = None
    ) -> None:
        """Revoke every token grant of the user (their refresh families and access tokens),
        or, given `organization_id`, those acting in that organization."""
        statement = update(TokenFamily).where(
            TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None)
        )
        if organization_id is not None:
            statement = statement.where(TokenFamily.organization_id == organization_id)
        self.session.execute(statement.values(revoked_at=moment))

    # One-time tokens (mailed links)

    def issue_token(self, user_id: str, purpose: str, now: datetime, ttl: timedelta) -> str:
        """A new token for a mailed link; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self.session.add(
            OneTimeToken(
                token_hash=hash_one_time_token(token),
                user_id=user_id,
                purpose=purpose,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        return token

    def spend_token(self, token: str, purpose: str, now: datetime) -> str | None:
        """The user id the token was issued to, spending it; None if unknown, used or expired.

        The conditional UPDATE makes it single use even when two requests race.
        """
        token_hash = hash_one_time_token(token)
        spent = self.session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.token_hash == token_hash,
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_(None),
                OneTimeToken.expires_at > now,
            )
            .values(used_at=now)
        )
        if spent.rowcount != 1:
            return None
        return self.session.scalar(
            select(OneTimeToken.user_id).where(OneTimeToken.token_hash == token_hash)
        )

    def spend_all_tokens(self, user_id: str, purpose: str, now: datetime) -> None:
        """Mark every outstanding token of this purpose used (a reset voids the other links)."""
        self.session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id,
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_(None),
            )
            .values(used_at=now)
        )


def _members(organization_id: str):
    """An organization's memberships, oldest first; the user id breaks ties."""
    return (
        select(Membership)
        .where(Membership.organization_id == organization_id)
        .order_by(Membership.created_at, Membership.user_id)
    )
