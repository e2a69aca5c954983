"""Every `gatehouse` command the runbook and the setup guide print exists, with its options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatehouse.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ("runbook", "setup", "getting-started")


def commands(guide: str) -> list[list[str]]:
    """The `gatehouse ...` lines of the guide's shell blocks, as words, comments dropped."""
    text = (DOCS / f"{guide}.md").read_text()
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            for start, word in enumerate(words):
                if word.endswith("gatehouse") and not word.startswith("$"):
                    found.append(words[start + 1 :])
                    break
    return found


@pytest.mark.parametrize("guide", GUIDES)
def test_every_gatehouse_command_of_the_guide_exists(guide):
    found = commands(guide)
    if guide == "runbook":
        assert len(found) >= 10, "the runbook shows its commands"
    for words in found:
        path = [w for w in words if not w.startswith("-")][:2]
        command = main
        for name in path:
            if not hasattr(command, "commands") or name not in command.commands:
                break
            command = command.commands[name]
        assert not hasattr(command, "commands"), f"{words}: not a command of gatehouse"
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        used = {w.split("=")[0] for w in words if w.startswith("--")}
        assert used <= options, f"gatehouse {' '.join(words)}: unknown {used - options}"
        help_run = CliRunner().invoke(main, [*path[: len(path)], "--help"])
        assert help_run.exit_code == 0, help_run.output
