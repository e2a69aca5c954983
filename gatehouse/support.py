"""Support requests' mail: the letter to the operator's desk and the sender's acknowledgement.

Both are built from the stored request and sent after its commit
(handlers.support), so a failing mailer never loses a request: the request
stays without `notified_at`, and the failure is logged with its id only.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from gatehouse.mail import letter
from storage.models import SupportRequest

SENDERS = {"user": "person", "api_key": "API key", "oauth_client": "OAuth client"}


@dataclass(frozen=True)
class SupportLetters:
    to_operator: EmailMessage
    acknowledgement: EmailMessage | None  # only a person has an address to acknowledge to


def support_letters(
    request: SupportRequest, organization_name: str, desk: str, owners: list[str]
) -> SupportLetters:
    """`owners` are whom the desk answers when a credential, which has no address, sent it."""
    # One line whatever was typed: a header cannot hold a line break.
    subject = " ".join(request.subject.split())
    sender = SENDERS[request.sender_type]
    reply_to = request.sender_email or ", ".join(owners) or None
    answer = (
        f"Answer {request.sender_email} (Reply-To)."
        if request.sender_email
        else "Sent with a credential, which has no address: answer the organization's "
        f"owners ({', '.join(owners) or 'none on record'}, Reply-To)."
    )
    body = (
        f"Support request {request.id} ({request.category})\n\n"
        f"Organization: {organization_name} ({request.organization_id})\n"
        f"Sent by: {sender} {request.sender_id}"
        f"{f' <{request.sender_email}>' if request.sender_email else ''}\n"
        f"Failing request id: {request.failing_request_id or '(none given)'}\n"
        f"Received: {request.created_at:%Y-%m-%d %H:%M:%S} UTC\n"
        f"{answer}\n\n"
        f"Subject: {subject}\n\n{request.message}\n"
    )
    to_operator = letter(
        desk,
        f"[Gatehouse support] {request.category}: {subject} ({request.id})",
        body,
        reply_to=reply_to,
    )
    acknowledgement = None
    if request.sender_email:
        acknowledgement = letter(
            request.sender_email,
            f"We received your support request: {subject}",
            f"Thank you. Your support request {request.id} reached the support desk, "
            "which answers this address.\n\n"
            f"Category: {request.category}\nSubject: {subject}\n"
            f"Failing request id: {request.failing_request_id or '(none given)'}\n\n"
            f"Your message:\n\n{request.message}\n",
        )
    return SupportLetters(to_operator, acknowledgement)
