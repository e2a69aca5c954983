"""The response shapes of the contract: one resource, one page (v1), one slice (v2),
one request id."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from handlers.cursors import cursor_of
from storage.paging import Page, Slice

# Set by the gateway for each request; read when a body names its request.
request_id: ContextVar[str] = ContextVar("gatehouse_request_id", default="req_unknown")


def one(resource: dict[str, Any]) -> dict[str, Any]:
    return {"data": resource, "meta": {"requestId": request_id.get()}}


def page(items: list[dict[str, Any]], result: Page) -> dict[str, Any]:
    return {
        "data": items,
        "pagination": {
            "page": result.page,
            "perPage": result.per_page,
            "total": result.total,
            "totalPages": result.total_pages,
        },
    }


def slice_of(items: list[dict[str, Any]], result: Slice) -> dict[str, Any]:
    """A v2 list: the cursor of the last item when more follow, and the request id,
    as every other answer has."""
    last = result.items[-1].id if result.items and result.has_more else None
    return {
        "data": items,
        "pagination": {"nextCursor": cursor_of(last) if last else None, "hasMore": result.has_more},
        "meta": {"requestId": request_id.get()},
    }
