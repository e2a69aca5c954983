"""The multiprocess directory keeps the files of running processes only."""

from __future__ import annotations

import os
import subprocess
import sys

from gatehouse.metrics import forget_dead_processes


def test_files_of_processes_that_ended_are_removed(tmp_path):
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead = int(ended.stdout)
    alive = os.getpid()
    names = [f"counter_{dead}.db", f"histogram_{dead}.db", f"counter_{alive}.db", "notes.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    forget_dead_processes(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"counter_{alive}.db", "notes.txt"]
