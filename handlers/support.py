"""Support requests: a person or a credential writes to the operator's support desk.

The request is stored first and mailed after the commit: nothing is
half-written, and a mailer that fails leaves a stored request without
`notified_at` and an error in the log naming its id (README, "Support
requests"). Who may send or read is said by the spec's scopes.
"""

from __future__ import annotations

import structlog

from gatehouse.context import current_services
from gatehouse.support import support_letters
from generated.models import SupportRequestInput
from handlers import envelope
from handlers.errors import NotFound
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.ids import new_id
from storage.models import SupportRequest

log = structlog.get_logger("gatehouse.support")


def create_support_request(token_info: dict, body: dict) -> tuple[dict, int]:
    wanted = SupportRequestInput.model_validate(body)
    services = current_services()
    organization_id = token_info["org"]
    with unit_of_work() as uow:
        sender_type, sender_id = _sender(token_info)
        person = uow.users.get(sender_id) if sender_type == "user" else None
        request = SupportRequest(
            id=new_id("sup"),
            organization_id=organization_id,
            subject=wanted.subject,
            category=wanted.category,
            message=wanted.message,
            failing_request_id=wanted.request_id,
            sender_type=sender_type,
            sender_id=sender_id,
            sender_email=person.email if person is not None else None,
            created_at=utcnow(),
        )
        uow.support_requests.add(request)
        organization = uow.organizations.get(organization_id)
        owners = [] if person is not None else uow.users.owner_emails(organization_id)
        uow.commit()
        view = support_view(request)
        letters = support_letters(
            request, organization.name, services.settings.support_email, owners
        )
    _mail(view["id"], letters, services.people.mailer)
    return envelope.one(view), 201


def list_support_requests(token_info: dict, page: int = 1, per_page: int = 20) -> dict:
    with unit_of_work() as uow:
        result = uow.support_requests.page(token_info["org"], page, per_page)
        return envelope.page([support_view(request) for request in result.items], result)


def get_support_request(token_info: dict, support_request_id: str) -> dict:
    with unit_of_work() as uow:
        request = uow.support_requests.get(token_info["org"], support_request_id)
        if request is None:
            raise NotFound("Support request", support_request_id)
        return envelope.one(support_view(request))


def support_view(request: SupportRequest) -> dict:
    return {
        "id": request.id,
        "subject": request.subject,
        "category": request.category,
        "message": request.message,
        "requestId": request.failing_request_id,
        "sender": {
            "type": request.sender_type,
            "id": request.sender_id,
            "email": request.sender_email,
        },
        "createdAt": rfc3339(request.created_at),
    }


def _sender(token_info: dict) -> tuple[str, str]:
    kind = token_info.get("kind", "api_key")
    if kind == "user":
        return "user", token_info["user_id"]
    if kind == "oauth_client":
        return "oauth_client", token_info["client_id"]
    return "api_key", token_info["key_id"]


def _mail(request_id: str, letters, mailer) -> None:
    """Hand both letters to the mailer; the request is stored whatever happens here."""
    try:
        mailer.send(letters.to_operator)
    except Exception:  # noqa: BLE001 - any mailer's failure: the request is kept, and said so
        log.error("support request stored but not mailed", support_request_id=request_id)
        return
    with unit_of_work() as uow:
        uow.support_requests.mark_notified(request_id, utcnow())
        uow.commit()
    if letters.acknowledgement is not None:
        try:
            mailer.send(letters.acknowledgement)
        except Exception:  # noqa: BLE001 - the desk has it; only the receipt is lost
            log.warning("support acknowledgement not mailed", support_request_id=request_id)
