"""What the people handlers need from the gateway: passwords, mail, throttles, links.

Built once per app (`people_services`) and reached through
`current_services().people`; the CLI builds the same for invitations.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlencode

from connexion import context

from gatehouse.client_address import client_address_of
from gatehouse.mail import FileMailer, Mailer, letter
from gatehouse.passwords import Passwords
from gatehouse.settings import Settings
from gatehouse.throttle import Budget, Throttle, storage_for

VERIFY_EMAIL_HOURS = 48
RESET_PASSWORD_HOURS = 1
INVITATION_HOURS = 72


@dataclass(frozen=True)
class PeopleServices:
    passwords: Passwords
    mailer: Mailer
    throttle: Throttle
    # Failed sign-ins, per account and per client address.
    login_per_account: Budget
    login_per_address: Budget
    # Requests that mail a link (reset, registration) or spend one (reset).
    reset_per_account: Budget
    reset_per_address: Budget
    public_url: str

    def portal_link(self, page: str, token: str) -> str:
        return f"{self.public_url}/portal/{page}?{urlencode({'token': token})}"

    def verification_letter(self, to: str, token: str) -> EmailMessage:
        link = self.portal_link("verify-email", token)
        return letter(
            to,
            "Verify your email address for Gatehouse",
            f"Welcome to Gatehouse.\n\nConfirm this address by opening:\n\n  {link}\n\n"
            f"The link works once, within {VERIFY_EMAIL_HOURS} hours. "
            "If you did not register, ignore this message.\n",
        )

    def reset_letter(self, to: str, token: str) -> EmailMessage:
        link = self.portal_link("reset-password", token)
        return letter(
            to,
            "Reset your Gatehouse password",
            f"Someone asked to reset the password of this Gatehouse account.\n\n"
            f"Choose a new password here:\n\n  {link}\n\n"
            f"The link works once, within {RESET_PASSWORD_HOURS} hour; resetting signs "
            "you out everywhere. If it was not you, ignore this message: "
            "your password is unchanged.\n",
        )

    def registration_attempt_letter(self, to: str) -> EmailMessage:
        return letter(
            to,
            "Someone tried to register with your address",
            "Someone tried to create a Gatehouse account with this address, which "
            "already has one. Nothing was changed.\n\nIf it was you, sign in instead; "
            f"if you forgot your password, ask for a reset at "
            f"{self.public_url}/portal/forgot-password.\n",
        )

    def invitation_letter(self, to: str, organization: str, role: str, token: str) -> EmailMessage:
        link = self.portal_link("reset-password", token)
        return letter(
            to,
            f"You were added to {organization} on Gatehouse",
            f"You were added to {organization} on Gatehouse as {role}.\n\n"
            f"Choose your password here:\n\n  {link}\n\n"
            f"The link works once, within {INVITATION_HOURS} hours.\n",
        )


def people_services(settings: Settings) -> PeopleServices:
    return PeopleServices(
        passwords=Passwords(),
        mailer=FileMailer(settings.var_dir / "mail"),
        throttle=Throttle(storage_for(settings.redis_url)),
        login_per_account=Budget.parse("login-account", settings.login_limit_per_account),
        login_per_address=Budget.parse("login-address", settings.login_limit_per_address),
        reset_per_account=Budget.parse("reset-account", settings.reset_limit_per_account),
        reset_per_address=Budget.parse("reset-address", settings.reset_limit_per_address),
        public_url=settings.public_url,
    )


def caller_address(settings: Settings) -> str:
    """The client's address as allowlists judge it ('unknown' shares one budget)."""
    return client_address_of(context.scope, settings.trusted_proxies) or "unknown"


def bearer_token() -> str | None:
    """The raw access token of the current request (already validated by the scheme)."""
    value = context.request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
