"""Passwords: Argon2id hashes (argon2-cffi), the policy, and sign-in's constant cost.

A password is checked against an Argon2 hash even when the account does not
exist (a dummy hash made at start-up), so a wrong password and an unknown
address cost the same and read the same.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no stored hash, the same work and False."""
        try:
            return self.hasher.verify(stored_hash or self._dummy_hash, password) and bool(
                stored_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        return self.hasher.check_needs_rehash(stored_hash)


def policy_problem(password: str, email: str) -> str | None:
    """Why the password may not be used, or None (the spec states the same rules)."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if password.strip().casefold() == email.strip().casefold():
        return "must not be the email address"
    return None
