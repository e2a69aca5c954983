"""Lines logged through the standard library (uvicorn, RQ, Alembic) come out as ours do."""

from __future__ import annotations

import json
import logging

import structlog

from gatehouse.logging import configure_logging


def test_standard_library_lines_are_json_masked_and_carry_the_bound_ids(capsys):
    configure_logging("INFO", as_json=True)
    with structlog.contextvars.bound_contextvars(request_id="req_standard"):
        logging.getLogger("rq.worker").info("job with %s", "ak_test_AbCdEfGh12345678")
    logging.getLogger("uvicorn.error").debug("below the level")
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["event"] == "job with ak_***"
    assert record["logger"] == "rq.worker"
    assert record["level"] == "info"
    assert record["request_id"] == "req_standard"


def test_configuring_again_keeps_one_handler_of_ours():
    configure_logging("INFO", as_json=True)
    configure_logging("WARNING", as_json=False)
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "gatehouse"]
    assert len(ours) == 1
    assert logging.getLogger().level == logging.WARNING
