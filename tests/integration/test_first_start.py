"""First start: a demo key is printed with a command that works when pasted."""

from __future__ import annotations

import re
import subprocess

from tests.support.server import ROOT


def test_the_printed_command_makes_a_signed_request(server):
    banner = server.log()
    assert "First start: created the demo organization org_" in banner
    assert re.search(r"key:\s+ak_test_\S+", banner)
    command = re.search(r"^\s*(GATEHOUSE_API_KEY=.*signed_request\.py GET \S+)$", banner, re.M)
    assert command, banner[:2000]
    run = subprocess.run(
        ["bash", "-c", command.group(1)], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("200 "), run.stdout


def test_the_secret_is_printed_once_and_never_logged(server):
    secret = re.search(r"secret:\s+(sk_\S+)", server.log()).group(1)
    # Once in the banner, once in the ready-to-paste command; nowhere in the request logs.
    assert server.log().count(secret) == 2
    access_lines = [line for line in server.log().splitlines() if "request_id=" in line]
    assert access_lines, "expected the server's access log in its output"
    assert not any(secret in line for line in access_lines)
