"""Outgoing mail: a small Mailer interface and the embedded default that writes files.

FileMailer writes each message as an RFC 5322 file (`.eml`) under var/mail/,
so a person running Gatehouse locally can open it and follow its link. A
deployment that sends real mail supplies another Mailer (SMTP, a provider's
API). Messages carry one-time links: they are never logged.
"""

from __future__ import annotations

import os
import secrets
import time
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

SENDER = "Gatehouse <no-reply@gatehouse.localhost>"
_UNSTRUCTURED = HeaderRegistry()["x-unstructured"]


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def letter(
    to: str, subject: str, text: str, sender: str = SENDER, reply_to: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = _recipient(to)
    if reply_to:
        message["Reply-To"] = _recipient(reply_to, "Reply-To")
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="gatehouse.localhost")
    # 8bit, not quoted-printable: a person reading the file can copy the link as it is.
    message.set_content(text, cte="8bit")
    return message


def _recipient(to: str, header: str = "To"):
    """An address header (To by default): parsed as an address when the standard
    library can, else written as given. The API's Email pattern admits addresses
    whose domain or local part the strict parser chokes on (`x@[`, `:;@y`, raising
    IndexError or AttributeError rather than a documented error); they must not
    turn a request into a 500, and a real mail server will bounce them like any
    undeliverable address."""
    probe = EmailMessage()
    try:
        probe[header] = to
        probe.as_bytes()
    except Exception:  # noqa: BLE001 - the parser's failures have no common type
        return _UNSTRUCTURED(header, to)
    return to


class FileMailer:
    """Delivers into a folder: one file per message, named so that they sort by time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Names sort by time of sending; a reader sees a file whole or not at all.
        final = self.folder / f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
        partial = final.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, final)
