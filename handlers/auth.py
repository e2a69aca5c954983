"""Accounts for people: register, sign in, refresh, sign out, who am I.

Sign-in answers the same for a wrong password and an unknown address, after
the same Argon2 work, and failed attempts are throttled per account and per
client address. Tokens are minted by the TokenService only.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from gatehouse.context import current_services
from gatehouse.errors import ApiError
from gatehouse.people import VERIFY_EMAIL_HOURS, bearer_token, caller_address
from gatehouse.tokens import InvalidGrant, hash_token
from generated.models import LoginInput, RefreshInput, RegisterInput
from handlers import envelope
from handlers.mfa import matching_step
from handlers.people import check_password, person_of
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.ids import new_id
from storage.keys import tiers_within
from storage.models import Membership, Organization, User
from storage.users import VERIFY_EMAIL, canonical_email

WRONG_CREDENTIALS = "The email address or the password is wrong."
# As the token endpoint answers (RFC 6749 section 5.1): never cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def register(body: dict) -> tuple[dict, int]:
    wanted = RegisterInput.model_validate(body)
    email = wanted.email.strip()
    check_password(wanted.password, email)
    services = current_services()
    people = services.people
    # Registering mails the address: it spends the same budgets as asking for a reset.
    charges = (
        (people.reset_per_account, canonical_email(email)),
        (people.reset_per_address, caller_address(services.settings)),
    )
    people.throttle.check(*charges)
    people.throttle.spend(*charges)
    # Hash first, whatever follows: a known address must not answer faster.
    password_hash = people.passwords.hash(wanted.password)
    with unit_of_work() as uow:
        existing = uow.users.get_by_email(email)
        if existing is not None:
            message = people.registration_attempt_letter(existing.email)
        else:
            try:
                token = _create_account(uow, wanted, email, password_hash)
                uow.commit()
            except IntegrityError:  # the same address registered a moment ago
                return _accepted()
            message = people.verification_letter(email, token)
    people.mailer.send(message)
    return _accepted()


def login(body: dict) -> tuple[dict, int, dict]:
    wanted = LoginInput.model_validate(body)
    services = current_services()
    people = services.people
    charges = _login_charges(people, wanted.email, caller_address(services.settings))
    people.throttle.check(*charges)
    with unit_of_work() as uow:
        user = uow.users.get_by_email(wanted.email)
        if not people.passwords.verify(user.password_hash if user else None, wanted.password):
            people.throttle.spend(*charges)
            raise ApiError(401, WRONG_CREDENTIALS)
        if user.mfa_enabled_at is not None:
            _check_totp(uow, user, wanted.totp, charges)
        if user.status != "active":
            raise ApiError(403, "This account is disabled.")
        if user.email_verified_at is None:
            raise ApiError(
                403, "Verify your email address first: follow the link mailed to it at sign-up."
            )
        membership = _membership(uow, user.id, wanted.organization_id)
        if people.passwords.needs_rehash(user.password_hash):
            user.password_hash = people.passwords.hash(wanted.password)
        grant = services.tokens.issue(
            uow,
            organization_id=membership.organization_id,
            mode=wanted.mode or "live",
            scopes=uow.users.current_scopes(user.id, membership.organization_id),
            user_id=user.id,
        )
        uow.commit()
    people.throttle.forgive(people.login_per_account, canonical_email(wanted.email))
    return grant.as_response(), 200, NO_STORE


def refresh(body: dict) -> tuple[dict, int, dict]:
    wanted = RefreshInput.model_validate(body)
    tokens = current_services().tokens
    with unit_of_work() as uow:
        record = uow.tokens.refresh_token_by_hash(hash_token(wanted.refresh_token))
        family = uow.tokens.family(record.family_id) if record else None
        if family is None or family.user_id is None:
            raise ApiError(401, "The refresh token is not recognised.")
        held = uow.users.current_scopes(family.user_id, family.organization_id)
        if held is None:
            raise ApiError(401, "The account is no longer active in this organization.")
        try:
            grant = tokens.refresh(
                uow,
                wanted.refresh_token,
                user_id=family.user_id,
                # The role may have changed since sign-in: never more than it grants now.
                scopes=[scope for scope in family.scopes if scope in held],
            )
        except InvalidGrant as error:
            raise ApiError(401, str(error)) from None
        uow.commit()
    return grant.as_response(), 200, NO_STORE


def logout(token_info: dict) -> tuple[None, int]:
    person_of(token_info, "Signing out")
    tokens = current_services().tokens
    raw = bearer_token()
    claims = tokens.decode(raw)
    with unit_of_work() as uow:
        tokens.revoke(uow, raw)
        uow.tokens.revoke_family(claims["sid"], utcnow())
        uow.commit()
    return None, 204


def get_me(token_info: dict) -> dict:
    user_id = person_of(token_info, "This operation")
    with unit_of_work() as uow:
        user = uow.users.get(user_id)
        memberships = uow.users.memberships_of(user_id)
        names = {
            m.organization_id: uow.organizations.get(m.organization_id).name for m in memberships
        }
        role = next(m.role for m in memberships if m.organization_id == token_info["org"])
        plan = uow.organizations.get(token_info["org"]).plan
        return envelope.one(
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "emailVerified": user.email_verified_at is not None,
                "mfaEnabled": user.mfa_enabled_at is not None,
                "createdAt": rfc3339(user.created_at),
                "organizationId": token_info["org"],
                "role": role,
                "organizationPlan": plan,
                "allowedTiers": list(tiers_within(plan)),
                "scopes": list(token_info["scope"]),
                "memberships": [
                    {
                        "organizationId": m.organization_id,
                        "organizationName": names[m.organization_id],
                        "role": m.role,
                    }
                    for m in memberships
                ],
            }
        )


def _create_account(uow, wanted: RegisterInput, email: str, password_hash: str) -> str:
    """The user, their organization and owner membership; the verification token."""
    now = utcnow()
    organization = Organization(id=new_id("org"), name=wanted.organization_name, created_at=now)
    user = User(
        id=new_id("usr"),
        email=email,
        email_canonical=canonical_email(email),
        name=wanted.name,
        password_hash=password_hash,
        status="active",
        created_at=now,
        updated_at=now,
    )
    uow.organizations.add(organization)
    uow.users.add(user)
    uow.session.flush()
    uow.users.add_membership(
        Membership(user_id=user.id, organization_id=organization.id, role="owner", created_at=now)
    )
    return uow.users.issue_token(user.id, VERIFY_EMAIL, now, timedelta(hours=VERIFY_EMAIL_HOURS))


def _check_totp(uow, user: User, code: str | None, charges) -> None:
    if not code:
        raise ApiError(
            401,
            "This account has MFA on: send the current 6-digit code of your "
            "authenticator app as `totp`.",
        )
    step = matching_step(user.totp_secret_ciphertext, code)
    if step is None or not uow.users.spend_totp_step(user.id, step):
        current_services().people.throttle.spend(*charges)
        raise ApiError(
            401, "The MFA code is wrong, expired or already used; send the current one as `totp`."
        )


def _membership(uow, user_id: str, organization_id: str | None) -> Membership:
    if organization_id is not None:
        membership = uow.users.membership(user_id, organization_id)
        if membership is None:
            raise ApiError(403, f"You are not a member of {organization_id}.")
        return membership
    memberships = uow.users.memberships_of(user_id)
    if not memberships:
        raise ApiError(403, "This account belongs to no organization.")
    return memberships[0]


def _login_charges(people, email: str, address: str):
    return (people.login_per_account, canonical_email(email)), (people.login_per_address, address)


def _accepted() -> tuple[dict, int]:
    message = "If the address can be registered, a message is on its way to it."
    return envelope.one({"message": message}), 202
