"""Gatehouse: the gateway around the handlers (app factory, settings, security, errors, CLI)."""

from gatehouse.app import create_app
from gatehouse.settings import Settings

__all__ = ["Settings", "create_app"]
