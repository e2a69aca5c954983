"""Structured logs (structlog) with secrets masked before anything is written."""

from __future__ import annotations

import logging
import re
import sys

import structlog

SENSITIVE = re.compile(r"secret|signature|password|token|authorization|api[-_]?key", re.I)
CREDENTIAL_VALUES = re.compile(r"\b(ak|sk)_[A-Za-z0-9_-]{8,}")


def mask_secrets(_logger, _method, event: dict) -> dict:
    """Mask values under sensitive names, and anything shaped like a key or secret."""
    for name, value in list(event.items()):
        if SENSITIVE.search(name):
            event[name] = "***"
        elif isinstance(value, str):
            event[name] = CREDENTIAL_VALUES.sub(lambda m: m.group(1) + "_***", value)
    return event


def configure_logging(level: str = "INFO", as_json: bool = False) -> None:
    renderer = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    _route_standard_logging(level)


def _route_standard_logging(level: str) -> None:
    """Libraries that log through the standard library (uvicorn, RQ, Alembic) write
    lines shaped like ours: the same processors, masking included, and renderer."""
    *chain, renderer = structlog.get_config()["processors"]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *chain],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("gatehouse")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replaces only ours (configured again), never handlers others attached.
    for previous in [h for h in root.handlers if h.get_name() == "gatehouse"]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(logging.getLevelName(level))
    # Python's warnings too, which would otherwise be bare text on stderr.
    logging.captureWarnings(True)
