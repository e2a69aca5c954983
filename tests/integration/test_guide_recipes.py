"""The signing recipes of docs/authentication.md, run as printed against a live server."""

from __future__ import annotations

import os

import pytest

from tests.support.recipes import INTERPRETERS, recipes, run

# Signing does not depend on the database: one backend is enough.
ON_SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_guide_has_a_signing_recipe_in_every_language():
    assert sorted(recipes("authentication", "signed-request")) == sorted(INTERPRETERS)


@ON_SQLITE
@pytest.mark.parametrize("language", sorted(INTERPRETERS))
def test_the_signing_recipe_creates_and_lists(language, server, tmp_path):
    tenant = server.new_tenant(f"Recipe {language}")
    env = {
        **os.environ,
        "GATEHOUSE_URL": server.url,
        "GATEHOUSE_API_KEY": tenant.key,
        "GATEHOUSE_API_SECRET": tenant.secret,
    }
    done = run(language, recipes("authentication", "signed-request")[language], tmp_path, env)
    output = done.stdout.decode()
    assert done.returncode == 0, output + done.stderr.decode()
    lines = output.splitlines()
    assert lines[0] == "POST 201", output
    assert lines[1] == "GET 200 1 products", output
