"""Structured logs (structlog) with personal data and secrets masked before anything is written."""

from __future__ import annotations

import logging
import sys

import structlog

from gatehouse.masking import mask_text, mask_value

# structlog's own fields: their names say nothing about their values' nature.
UNMASKED_NAMES = frozenset({"event", "logger", "level", "timestamp"})


def mask_secrets(_logger, _method, event: dict) -> dict:
    """Mask personal data and secrets in every field, by name and by shape (gatehouse.masking)."""
    for name, value in list(event.items()):
        if name in UNMASKED_NAMES:
            event[name] = mask_text(value) if isinstance(value, str) else value
        elif name != "exc_info":
            event[name] = mask_value(name, value)
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
        # One write() per line (PrintLogger writes the line, then its newline): the standard
        # library's handler shares stderr, and a line of one must never run into the other's.
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
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
