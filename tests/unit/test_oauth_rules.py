"""The OAuth endpoints' rules that need no server: parameters, scopes, error answers."""

from __future__ import annotations

import pytest

from gatehouse.client_auth import OAuthError, parameters
from gatehouse.oauth import _requested_scopes
from gatehouse.routes import MethodIndex
from handlers.errors import Forbidden
from handlers.grants import grantable_scopes


def test_only_known_string_parameters_are_read():
    body = {"grant_type": "client_credentials", "scope": "a b", "extra": ["x"], "client_id": 7}
    assert parameters(body) == {"grant_type": "client_credentials", "scope": "a b"}


def test_a_body_that_is_not_an_object_is_an_invalid_request():
    with pytest.raises(OAuthError) as refused:
        parameters(["grant_type"])
    assert refused.value.error == "invalid_request"


def test_scope_defaults_to_everything_allowed_and_never_widens():
    assert _requested_scopes({}, ["a", "b"]) == ["a", "b"]
    assert _requested_scopes({"scope": "  "}, ["a", "b"]) == ["a", "b"]
    assert _requested_scopes({"scope": "b b"}, ["a", "b"]) == ["b"]
    with pytest.raises(OAuthError) as refused:
        _requested_scopes({"scope": "a c"}, ["a", "b"])
    assert refused.value.error == "invalid_scope"
    assert "c" in refused.value.description


def test_invalid_client_is_a_401_with_a_basic_challenge_and_never_cached():
    body, status, headers = OAuthError("invalid_client", "No.").response()
    assert (body, status) == ({"error": "invalid_client", "error_description": "No."}, 401)
    assert headers["WWW-Authenticate"].startswith("Basic ")
    assert headers["Cache-Control"] == "no-store"
    _, status, headers = OAuthError("invalid_grant", "Spent.").response()
    assert status == 400 and "WWW-Authenticate" not in headers


def test_the_oauth_paths_are_read_from_the_spec():
    index = MethodIndex()
    index.add(
        "/api",
        {
            "paths": {
                "/oauth/token": {"post": {"x-error-format": "oauth2"}},
                "/health": {"get": {}},
            }
        },
    )
    assert index.speaks_oauth("/api/oauth/token") and index.speaks_oauth("/api/oauth/token/")
    assert not index.speaks_oauth("/api/health")


def test_a_token_cannot_grant_what_it_lacks_and_says_so_as_a_token():
    caller = {"kind": "oauth_client", "scope": ["keys:manage"]}
    with pytest.raises(Forbidden, match="This token cannot grant the scope products:read"):
        grantable_scopes(["products:read"], caller)
