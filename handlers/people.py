"""Rules shared by the people handlers: the password policy and who may act as a person."""

from __future__ import annotations

from gatehouse.errors import ApiError
from gatehouse.passwords import policy_problem


def check_password(password: str, email: str) -> None:
    """400 VALIDATION_ERROR naming `password` when the policy refuses it."""
    problem = policy_problem(password, email)
    if problem:
        raise ApiError(400, f"The password {problem}.", {"password": problem})


def person_of(token_info: dict, action: str) -> str:
    """The user id behind the credential; 403 for API keys and OAuth clients."""
    if token_info.get("kind") != "user" or not token_info.get("user_id"):
        raise ApiError(
            403, f"{action} needs a person's access token (from POST /api/v1/auth/login)."
        )
    return token_info["user_id"]
