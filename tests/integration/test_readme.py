"""The README's signing recipes work as written (with the reader's key pasted in)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def block(language: str, containing: str) -> str:
    for body in re.findall(rf"```{language}\n(.*?)```", README, re.S):
        if containing in body:
            return body
    raise AssertionError(f"README has no {language} block containing {containing!r}")


def personalised(code: str, server, credentials) -> str:
    return (
        code.replace("ak_test_...", credentials.key)
        .replace("sk_...", credentials.secret)
        .replace("http://127.0.0.1:8000", server.url)
    )


def test_the_python_recipe_creates_a_product(server, tenant):
    code = personalised(block("python", "hmac.new"), server, tenant)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert '"sku":"MUG-2"' in run.stdout.replace(" ", "")


def test_the_curl_and_openssl_recipe_lists_products(server, tenant):
    script = personalised(block("sh", "openssl dgst"), server, tenant)
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert '"pagination"' in run.stdout, run.stdout
    assert '"perPage":5' in run.stdout.replace(" ", "")


def test_the_oauth_recipe_lists_products_with_a_bearer_token(server, tenant):
    client = server.cli("clients", "create", "--org", tenant.organization_id)
    script = (
        block("sh", "grant_type=client_credentials")
        .replace("cli_...", client["id"])
        .replace("cs_...", client["clientSecret"])
        .replace("http://127.0.0.1:8000", server.url)
    )
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert '"pagination"' in run.stdout, run.stdout


def test_the_idempotency_recipe_creates_one_product_and_replays_it(server, tenant, prefix):
    script = personalised(block("sh", "GATEHOUSE_IDEMPOTENCY_KEY"), server, tenant)
    script = script.replace("MUG-3", f"{prefix}-MUG")
    run = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=30, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line]  # bodies end in a newline
    assert len(lines) == 2, run.stdout
    first, second = lines
    assert first.startswith("201 {") and second.startswith("201 (replayed) {"), run.stdout
    assert second.removeprefix("201 (replayed) ") == first.removeprefix("201 ")
