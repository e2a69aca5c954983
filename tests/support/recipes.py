"""The code of the guides, as printed, and the interpreters that run it.

A recipe is a fenced code block right after an `<!-- recipe: NAME -->` line in
a guide of docs/; the block's info string names its language. Tests run every
recipe exactly as a reader would copy it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
RECIPE = re.compile(r"^<!-- recipe: ([a-z-]+) -->\n```([a-z]+)\n(.*?)^```$", re.M | re.S)
INTERPRETERS = {
    "python": (sys.executable, ".py"),
    "javascript": ("node", ".js"),
    "php": ("php", ".php"),
    "ruby": ("ruby", ".rb"),
}
# The four languages of the signing recipes, and the shell for the curl ones.
RUNNERS = {**INTERPRETERS, "sh": ("sh", ".sh")}


def recipes(guide: str, name: str) -> dict[str, str]:
    """{language: code} of every recipe called `name` in docs/<guide>.md."""
    text = (DOCS / f"{guide}.md").read_text()
    return {lang: code for found, lang, code in RECIPE.findall(text) if found == name}


def run(language: str, code: str, directory: Path, env: dict[str, str], stdin: bytes = b""):
    """Run `code` with the language's interpreter; a missing interpreter fails, loudly."""
    program, suffix = RUNNERS[language]
    executable = shutil.which(program)
    assert executable, f"{program} is not installed (.ci/run installs it; see the README)"
    source = directory / f"recipe{suffix}"
    source.write_text(code)
    return subprocess.run(
        [executable, str(source)], input=stdin, env=env, capture_output=True, timeout=60
    )
