"""Events: the record of every change in the caller's organization and mode, read-only.

Events are written by the handlers that make the changes (storage.events.record,
in the change's own transaction); this module only lists and shows them.
"""

from __future__ import annotations

from handlers import envelope
from handlers.errors import NotFound
from handlers.listing import instant, select_fields
from storage import unit_of_work
from storage.clock import rfc3339
from storage.events import EventSearch
from storage.models import Event
from storage.partition import Partition


def list_events(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    type_: list[str] | None = None,  # the `type` query parameter (Connexion appends _)
    resource_id: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    fields: list[str] | None = None,
) -> dict:
    search = EventSearch(
        types=tuple(type_ or ()),
        resource_id=resource_id,
        created_after=instant(created_after),
        created_before=instant(created_before),
        page=page,
        per_page=per_page,
    )
    with unit_of_work() as uow:
        result = uow.events.search(Partition.of(token_info), search)
        return envelope.page([select_fields(view(e), fields) for e in result.items], result)


def get_event(token_info: dict, event_id: str, fields: list[str] | None = None) -> dict:
    with unit_of_work() as uow:
        event = uow.events.get(Partition.of(token_info), event_id)
        if event is None:
            raise NotFound("event", event_id)
        return envelope.one(select_fields(view(event), fields))


def view(event: Event) -> dict:
    return {
        "id": event.id,
        "type": event.type,
        "createdAt": rfc3339(event.occurred_at),
        "resourceType": event.resource_type,
        "resourceId": event.resource_id,
        "data": event.data,
        "changes": event.changes,
    }
