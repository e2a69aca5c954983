"""`make bench` runs to its report: a short run of every row, timings never judged.

The bench is a script, not a test, so nothing else would notice when a change to
the product breaks its set-up (as organization plans once did: its enterprise key
was refused by the new organization's free plan, and the bench stopped before its
first row). Here it runs with the shortest settings and the Python load generator;
what is checked is that it ends well, measured every row without an error
answer, and reported each ratio.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support.server import ROOT

ROWS = (
    "gatehouse",
    "gatehouse, no limits",
    "gatehouse, no limits/usage",
    "gatehouse, Redis limits",
    "fastapi",
    "bare-asgi",
)
RATIOS = (
    "gatehouse / ceiling",
    "fastapi / ceiling",
    "gatehouse / fastapi",
    "limits on / off",
    "usage on / off",
    "limits+usage on / off",
    "Redis / memory limits",
)


def test_a_short_bench_measures_every_row_and_reports_the_ratios():
    settings = {
        "BENCH_DURATION": "1",
        "BENCH_WARMUP": "0",
        "BENCH_ROUNDS": "1",
        "BENCH_CONNECTIONS": "4",
        "BENCH_GATEHOUSE_WORKERS": "0",
        "BENCH_LOADGEN": "python",
        "BENCH_WEBHOOKS": "0",
    }
    run = subprocess.run(
        [sys.executable, "-m", "scripts.bench.run"],
        cwd=ROOT,
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    table = run.stdout.split("server ", 1)[1]
    for row in ROWS:
        # name, req/s, p50, p95, p99, share of the ceiling, error answers, socket errors
        found = re.search(
            rf"^{re.escape(row)} +([\d,]+) +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+x +(\d+) +(\d+)$",
            table,
            re.M,
        )
        assert found, f"no row {row!r} in:\n{table}"
        assert int(found[1].replace(",", "")) > 0, f"{row} answered nothing"
        assert found[2] == found[3] == "0", f"{row} had error answers:\n{table}"
    for ratio in RATIOS:
        assert re.search(rf"^  {re.escape(ratio)} +\d+\.\d+$", table, re.M), ratio
