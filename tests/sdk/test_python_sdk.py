"""The generated Python SDK, with its signing helper, against a live server."""


def test_python_program_runs_every_step(programs):
    assert "all steps passed" in programs("python")
