"""The services of the app answering the current request (set by RequestContextMiddleware)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gatehouse.app import Services

_services: ContextVar[Services] = ContextVar("gatehouse_services")


def bind_services(services: Services) -> None:
    _services.set(services)


def current_services() -> Services:
    return _services.get()
