"""TOTP multi-factor sign-in (pyotp): a secret is pending until a code confirms it."""

from __future__ import annotations

import time

import pyotp

from gatehouse.context import current_services
from gatehouse.people import caller_address
from generated.models import MfaDisableInput, MfaVerifyInput
from handlers import envelope
from handlers.errors import Conflict, Unprocessable
from handlers.people import person_of
from storage import unit_of_work
from storage.clock import utcnow
from storage.users import canonical_email

ISSUER = "Gatehouse"
# One 30-second step either side: an authenticator's clock may drift a little.
VALID_WINDOW = 1


def enable_mfa(token_info: dict) -> tuple[dict, int, dict]:
    user_id = person_of(token_info, "Enabling MFA")
    keyring = current_services().keyring
    with unit_of_work() as uow:
        user = uow.users.get(user_id)
        if user.mfa_enabled_at is not None:
            raise Conflict("MFA is already on for this account.")
        secret = pyotp.random_base32()
        user.totp_secret_ciphertext = keyring.encrypt(secret)
        user.totp_last_step = None
        user.updated_at = utcnow()
        uow.commit()
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    body = envelope.one({"secret": secret, "provisioningUri": uri})
    return body, 200, {"Cache-Control": "no-store"}


def verify_mfa(token_info: dict, body: dict) -> tuple[None, int]:
    user_id = person_of(token_info, "Confirming MFA")
    wanted = MfaVerifyInput.model_validate(body)
    with unit_of_work() as uow:
        user = uow.users.get(user_id)
        if user.mfa_enabled_at is not None:
            raise Conflict("MFA is already on for this account.")
        if user.totp_secret_ciphertext is None:
            raise Conflict("No MFA secret is pending: start with POST /api/v1/auth/mfa/enable.")
        step = matching_step(user.totp_secret_ciphertext, wanted.code)
        if step is None:
            raise Unprocessable(
                "code", "The code does not match; send the current one.", "does not match"
            )
        # The confirming code is spent: it cannot also sign in.
        user.totp_last_step = step
        user.mfa_enabled_at = user.updated_at = utcnow()
        uow.commit()
    return None, 204


def disable_mfa(token_info: dict, body: dict) -> tuple[None, int]:
    """MFA off, for a person who shows their password and a current code.

    Failures spend the sign-in budgets of the account and the address: a stolen
    access token must not become a way to guess the password.
    """
    user_id = person_of(token_info, "Turning MFA off")
    wanted = MfaDisableInput.model_validate(body)
    services = current_services()
    people = services.people
    with unit_of_work() as uow:
        user = uow.users.get(user_id)
        if user.mfa_enabled_at is None:
            raise Conflict("MFA is not on for this account.")
        charges = (
            (people.login_per_account, canonical_email(user.email)),
            (people.login_per_address, caller_address(services.settings)),
        )
        people.throttle.check(*charges)
        if not people.passwords.verify(user.password_hash, wanted.password):
            people.throttle.spend(*charges)
            raise Unprocessable("password", "The password is wrong.", "is wrong")
        step = matching_step(user.totp_secret_ciphertext, wanted.code)
        if step is None or not uow.users.spend_totp_step(user.id, step):
            people.throttle.spend(*charges)
            raise Unprocessable(
                "code", "The code does not match; send the current one.", "does not match"
            )
        user.mfa_enabled_at = None
        user.totp_secret_ciphertext = None
        user.totp_last_step = None
        user.updated_at = utcnow()
        uow.commit()
    return None, 204


def matching_step(secret_ciphertext: str, code: str) -> int | None:
    """The time step whose code `code` is (now, or one step either side), or None."""
    totp = pyotp.TOTP(current_services().keyring.decrypt(secret_ciphertext))
    now = time.time()
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        moment = now + offset * totp.interval
        if totp.verify(code, for_time=moment):
            return totp.timecode(moment)
    return None
