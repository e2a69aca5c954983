"""The generated Python SDK, with its signing helper, against a live server."""

import sys

from tests.sdk.conftest import ROOT


def test_python_program_runs_every_step(run_program):
    output = run_program("python", sys.executable, str(ROOT / "sdk" / "python" / "e2e.py"))
    assert "all steps passed" in output
