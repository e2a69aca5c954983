"""Mailed links: asking for a password reset, resetting, verifying an address.

Asking answers the same whether or not the account exists. A link's token
works once; a reset voids the account's other reset links and revokes every
session, so whoever held the old password is signed out everywhere.
"""

from __future__ import annotations

from datetime import timedelta

from gatehouse.context import current_services
from gatehouse.people import RESET_PASSWORD_HOURS, caller_address
from generated.models import ForgotPasswordInput, ResetPasswordInput, VerifyEmailInput
from handlers import envelope
from handlers.errors import Unprocessable
from handlers.people import check_password
from storage import unit_of_work
from storage.clock import utcnow
from storage.users import RESET_PASSWORD, VERIFY_EMAIL, canonical_email

BAD_LINK = "is unknown, expired or already used"


def forgot_password(body: dict) -> tuple[dict, int]:
    wanted = ForgotPasswordInput.model_validate(body)
    services = current_services()
    people = services.people
    charges = (
        (people.reset_per_account, canonical_email(wanted.email)),
        (people.reset_per_address, caller_address(services.settings)),
    )
    people.throttle.check(*charges)
    people.throttle.spend(*charges)
    message = None
    with unit_of_work() as uow:
        user = uow.users.get_by_email(wanted.email)
        if user is not None and user.status == "active":
            token = uow.users.issue_token(
                user.id, RESET_PASSWORD, utcnow(), timedelta(hours=RESET_PASSWORD_HOURS)
            )
            uow.commit()
            message = people.reset_letter(user.email, token)
    if message is not None:
        people.mailer.send(message)
    answer = "If an account has this address, a message with a reset link is on its way to it."
    return envelope.one({"message": answer}), 202


def reset_password(body: dict) -> tuple[None, int]:
    wanted = ResetPasswordInput.model_validate(body)
    services = current_services()
    people = services.people
    address = (people.reset_per_address, caller_address(services.settings))
    people.throttle.check(address)
    now = utcnow()
    with unit_of_work() as uow:
        user_id = uow.users.spend_token(wanted.token, RESET_PASSWORD, now)
        if user_id is None:
            people.throttle.spend(address)
            raise Unprocessable("token", f"The reset link {BAD_LINK}.", BAD_LINK)
        user = uow.users.get(user_id)
        # Refused here, the token stays unspent: leaving without commit rolls back.
        check_password(wanted.password, user.email)
        user.password_hash = people.passwords.hash(wanted.password)
        user.updated_at = now
        # The link reached the mailbox, which is what verifying proves.
        user.email_verified_at = user.email_verified_at or now
        uow.users.spend_all_tokens(user_id, RESET_PASSWORD, now)
        uow.users.revoke_sessions(user_id, now)
        uow.commit()
    return None, 204


def verify_email(body: dict) -> tuple[None, int]:
    wanted = VerifyEmailInput.model_validate(body)
    now = utcnow()
    with unit_of_work() as uow:
        user_id = uow.users.spend_token(wanted.token, VERIFY_EMAIL, now)
        if user_id is None:
            raise Unprocessable("token", f"The verification link {BAD_LINK}.", BAD_LINK)
        user = uow.users.get(user_id)
        user.email_verified_at = user.email_verified_at or now
        user.updated_at = now
        uow.commit()
    return None, 204
