"""Run the `gatehouse` command as a user would, keeping its exit status and output."""

from __future__ import annotations

import subprocess

from tests.support.server import GATEHOUSE, ROOT


def run_cli(server, *args: str) -> subprocess.CompletedProcess:
    """`gatehouse ARGS` against the server's database; never raises on failure."""
    return subprocess.run(
        [str(GATEHOUSE), *args],
        env=server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
