"""The response shapes of the contract: one resource, one page, one request id."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from storage.paging import Page

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
