"""The generated `x-codeSamples` of the bundled spec, run as printed against a live server."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from scripts.code_samples import LANGUAGES
from scripts.generate import ROOT
from tests.support.backends import ON_SQLITE
from tests.support.recipes import INTERPRETERS, run

BUNDLE = ROOT / "generated" / "openapi" / "v1.json"


def sample(path: str, method: str, language: str) -> str:
    operation = json.loads(BUNDLE.read_text())["paths"][path][method]
    return next(s["source"] for s in operation["x-codeSamples"] if s["lang"] == language)


def run_sample(language: str, code: str, tmp_path, env) -> tuple[int, str]:
    if language == "curl":
        done = subprocess.run(["bash", "-c", code], env=env, capture_output=True, timeout=60)
        output = done.stdout.decode()
        status = output.rstrip().splitlines()[-1]  # curl -w prints the status last
    else:
        done = run(language.lower(), code, tmp_path, env)
        output = done.stdout.decode()
        status = output.splitlines()[0] if output else ""
    assert done.returncode == 0, output + done.stderr.decode()
    return int(status), output


@ON_SQLITE
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_create_and_a_list_sample_sign_correctly(language, server, tmp_path):
    # A tenant per language: the create sample sends the spec's example, whose SKU is
    # unique per organization.
    tenant = server.new_tenant(f"Samples {language}")
    env = {
        **os.environ,
        "GATEHOUSE_URL": server.url,
        "GATEHOUSE_API_KEY": tenant.key,
        "GATEHOUSE_API_SECRET": tenant.secret,
    }
    status, output = run_sample(language, sample("/products", "post", language), tmp_path, env)
    assert status == 201, output
    product_id = re.search(r'"id":"(prod_[0-9A-Z]{26})"', output).group(1)
    status, output = run_sample(language, sample("/products", "get", language), tmp_path, env)
    assert status == 200, output
    assert product_id in output


@ON_SQLITE
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_token_sample_authenticates_the_client(language, server, tenant, tmp_path):
    client = server.cli("clients", "create", "--org", tenant.organization_id)
    env = {
        **os.environ,
        "GATEHOUSE_URL": server.url,
        "GATEHOUSE_CLIENT_ID": client["id"],
        "GATEHOUSE_CLIENT_SECRET": client["clientSecret"],
    }
    status, output = run_sample(language, sample("/oauth/token", "post", language), tmp_path, env)
    assert status == 200, output
    assert '"token_type":"Bearer"' in output.replace(" ", "")


def test_every_language_has_an_interpreter_the_tests_know():
    assert {lang.lower() for lang in LANGUAGES} - {"curl"} == set(INTERPRETERS)
