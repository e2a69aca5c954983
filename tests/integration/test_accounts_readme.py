"""The README's sign-up recipe works as written, mail folder and all."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.support.people import mailbox, unique_email

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_sign_up_recipe_ends_with_a_token_grant(people_server):
    (recipe,) = [b for b in re.findall(r"```sh\n(.*?)```", README, re.S) if "/register" in b]
    email = unique_email("readme")
    script = (
        recipe.replace("http://127.0.0.1:8000", people_server.url)
        .replace("var/mail/", f"{mailbox(people_server)}/")
        .replace("ada@example.com", email)
    )
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    grant = json.loads(run.stdout.strip().splitlines()[-1])
    assert grant["token_type"] == "Bearer", run.stdout  # noqa: S105 (a token type)
    assert grant["access_token"] and grant["refresh_token"]
