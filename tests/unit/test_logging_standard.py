"""Lines logged through the standard library (uvicorn, RQ, Alembic) come out as ours do."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

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


# Threads logging through structlog and through the standard library at once, as the
# server does (the access log, the in-process webhook worker, uvicorn). Run in a child
# process so its stderr is a real file, as a deployment's log is.
_BOTH_WRITERS_AT_ONCE = """
import logging, threading, structlog
from gatehouse.logging import configure_logging
configure_logging("INFO", as_json=True)
def ours(n):
    log = structlog.get_logger()
    for i in range(400):
        log.info("request", thread=n, i=i, path="/api/v1/orders/" + "x" * 200)
def theirs(n):
    log = logging.getLogger("uvicorn.access")
    for i in range(400):
        log.info("standard %s %s %s", n, i, "y" * 200)
threads = [threading.Thread(target=f, args=(n,)) for n in range(4) for f in (ours, theirs)]
for t in threads: t.start()
for t in threads: t.join()
"""


def test_lines_from_both_writers_never_run_together(tmp_path):
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        subprocess.run(
            [sys.executable, "-c", _BOTH_WRITERS_AT_ONCE],
            stderr=log,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
    lines = log_path.read_text().splitlines()
    assert len(lines) == 2 * 4 * 400
    events = [json.loads(line)["event"] for line in lines]  # each line one whole record
    assert events.count("request") == 4 * 400
