"""The recipes of docs/authentication.md (signing, OAuth, JWT), run as printed against a
live server."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.oauth import grant, register_client
from tests.support.recipes import INTERPRETERS, recipes, run

# Signing does not depend on the database: one backend is enough.


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


def oauth_env(server, client, **more) -> dict[str, str]:
    return {
        **os.environ,
        "GATEHOUSE_URL": server.url,
        "GATEHOUSE_CLIENT_ID": client.client_id,
        "GATEHOUSE_CLIENT_SECRET": client.secret,
        **more,
    }


@ON_SQLITE
def test_the_client_credentials_recipe_gets_a_token(server, tmp_path):
    tenant = server.new_tenant("Recipe OAuth curl")
    client = register_client(BaseUrlSession(server.url, tenant.auth), scopes=["products:read"])
    (code,) = recipes("authentication", "client-credentials").values()
    done = run("sh", code, tmp_path, oauth_env(server, client))
    assert done.returncode == 0, done.stderr.decode()
    answer = json.loads(done.stdout)
    assert (answer["token_type"], answer["expires_in"]) == ("Bearer", 3600)
    assert answer["scope"] == "products:read" and answer["refresh_token"]


@ON_SQLITE
def test_the_oauth_session_recipe_lists_products(server, tmp_path):
    tenant = server.new_tenant("Recipe OAuth session")
    client = register_client(BaseUrlSession(server.url, tenant.auth), scopes=["products:read"])
    (code,) = recipes("authentication", "oauth-session").values()
    # As the guide says: requests-oauthlib takes plain http only when told to.
    env = oauth_env(server, client, OAUTHLIB_INSECURE_TRANSPORT="1")
    done = run("python", code, tmp_path, env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "200 0 products"


@ON_SQLITE
def test_the_jwt_recipe_verifies_an_access_token_with_the_jwks(server, tmp_path):
    tenant = server.new_tenant("Recipe JWT")
    client = register_client(BaseUrlSession(server.url, tenant.auth), scopes=["products:read"])
    token = grant(server, client, scope="products:read")["access_token"]
    (code,) = recipes("authentication", "verify-jwt").values()
    env = oauth_env(server, client, GATEHOUSE_ACCESS_TOKEN=token)
    done = run("python", code, tmp_path, env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == f"{client.client_id} products:read"
    # A token signed by anyone else fails the same recipe.
    forged = token[: token.rindex(".") + 1] + "A" * 40
    refused = run("python", code, tmp_path, {**env, "GATEHOUSE_ACCESS_TOKEN": forged})
    assert refused.returncode != 0
