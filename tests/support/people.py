"""People in the tests: the mail folder a server writes, and signing up and in through HTTP."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.api import BaseUrlSession

AUTH = "/api/v1/auth"


def new_password() -> str:
    """A fresh password, distinctive enough to search a log for."""
    return f"pw-{secrets.token_urlsafe(15)}"


def unique_email(tag: str = "person") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def mailbox(server) -> Path:
    return Path(server.env["GATEHOUSE_VAR_DIR"]) / "mail"


def messages_to(server, address: str) -> list[EmailMessage]:
    """Every message written for `address`, oldest first (the file names sort by time)."""
    found = []
    for path in sorted(mailbox(server).glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"].casefold() == address.casefold():
            found.append(message)
    return found


def only_message_to(server, address: str) -> EmailMessage:
    found = messages_to(server, address)
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


def link_token(message: EmailMessage, page: str) -> str:
    """The `token` of the message's link to the portal page `page`."""
    body = message.get_content()
    for word in body.split():
        parts = urlsplit(word)
        if parts.path == f"/portal/{page}":
            return parse_qs(parts.query)["token"][0]
    raise AssertionError(f"no /portal/{page} link in:\n{body}")


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass
class Person:
    email: str
    password: str

    def login(self, anonymous: BaseUrlSession, **extra) -> requests.Response:
        body = {"email": self.email, "password": self.password, **extra}
        return anonymous.post(f"{AUTH}/login", json=body)

    def tokens(self, anonymous: BaseUrlSession, **extra) -> dict:
        response = self.login(anonymous, **extra)
        assert response.status_code == 200, response.text
        return response.json()


def register(anonymous: BaseUrlSession, email: str, password: str | None = None, **fields):
    body = {
        "email": email,
        "password": password or new_password(),
        "name": "Ada Lovelace",
        "organizationName": "Analytical Engines",
        **fields,
    }
    return anonymous.post(f"{AUTH}/register", json=body)


def verified_person(server, anonymous: BaseUrlSession, tag: str = "person") -> Person:
    """A registered person who followed the verification link of their mail."""
    person = Person(unique_email(tag), new_password())
    assert register(anonymous, person.email, person.password).status_code == 202
    token = link_token(only_message_to(server, person.email), "verify-email")
    assert anonymous.post(f"{AUTH}/verify-email", json={"token": token}).status_code == 204
    return person


def as_bearer(server, access_token: str) -> BaseUrlSession:
    return BaseUrlSession(server.url, BearerAuth(access_token))
