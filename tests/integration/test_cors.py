"""CORS, configured per deployment: none by default, exact listed origins otherwise."""

from __future__ import annotations

import pytest

from tests.support.api import PRODUCTS, BaseUrlSession, assert_error
from tests.support.server import LiveServer

ALLOWED = "https://app.example.com"
PREFLIGHT = {
    "Origin": ALLOWED,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,x-api-key,x-timestamp,x-api-signature",
}


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory):
    """A server whose deployment lists one browser origin (SQLite: CORS is above storage)."""
    var_dir = tmp_path_factory.mktemp("cors")
    live = LiveServer(
        {
            "DATABASE_URL": f"sqlite:///{var_dir / 'gatehouse.db'}",
            "GATEHOUSE_VAR_DIR": str(var_dir),
            "GATEHOUSE_VALIDATE_RESPONSES": "true",
            "GATEHOUSE_CORS_ORIGINS": f"{ALLOWED}, http://localhost:3000",
        },
        var_dir / "server.log",
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def cors_api(cors_server) -> BaseUrlSession:
    return BaseUrlSession(cors_server.url, cors_server.new_tenant("Browser app").auth)


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


def test_a_preflight_from_a_listed_origin_is_answered(cors_server):
    response = BaseUrlSession(cors_server.url).options(PRODUCTS, headers=PREFLIGHT)

    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert {"get", "post", "put", "delete"} <= listed(
        response.headers["Access-Control-Allow-Methods"]
    )
    allowed_headers = listed(response.headers["Access-Control-Allow-Headers"])
    wanted = {"x-api-key", "x-timestamp", "x-api-signature", "authorization", "content-type"}
    assert wanted | {"idempotency-key", "x-api-version"} <= allowed_headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["X-Request-Id"].startswith("req_")


def test_answers_to_a_listed_origin_carry_cors_headers(cors_api):
    for response in (
        cors_api.get(PRODUCTS, headers={"Origin": ALLOWED}),
        # Errors too: the headers are added outside the error handling.
        cors_api.get(f"{PRODUCTS}/not-an-id", headers={"Origin": ALLOWED}),
        BaseUrlSession(cors_api.base_url).get(PRODUCTS, headers={"Origin": ALLOWED}),
    ):
        assert response.status_code in (200, 400, 401), response.text
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
        exposed = listed(response.headers["Access-Control-Expose-Headers"])
        assert {
            "x-request-id",
            "x-api-version",
            "retry-after",
            "x-ratelimit-remaining",
            "idempotent-replayed",
        } <= exposed
        assert "Origin" in response.headers["Vary"]


def test_an_unlisted_origin_gets_no_cors_headers(cors_server, cors_api):
    other = "https://evil.example.com"
    answer = cors_api.get(PRODUCTS, headers={"Origin": other})
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers

    preflight = BaseUrlSession(cors_server.url).options(
        PRODUCTS, headers={**PREFLIGHT, "Origin": other}
    )
    assert_error(preflight, 405, "METHOD_NOT_ALLOWED")
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_listed_origin_asking_for_an_unknown_header_gets_our_lists(cors_server):
    """No plain-text 400: the browser compares the lists and refuses by itself."""
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "x-something-else"}
    response = BaseUrlSession(cors_server.url).options(PRODUCTS, headers=headers)
    assert response.status_code == 200
    assert "x-something-else" not in listed(response.headers["Access-Control-Allow-Headers"])


def test_options_without_a_preflight_is_still_method_not_allowed(cors_server):
    for headers in ({}, {"Origin": ALLOWED}):
        response = BaseUrlSession(cors_server.url).options(PRODUCTS, headers=headers)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == "GET, POST"


def test_without_the_setting_there_is_no_cors_at_all(server, api):
    preflight = BaseUrlSession(server.url).options(PRODUCTS, headers=PREFLIGHT)
    assert_error(preflight, 405, "METHOD_NOT_ALLOWED")
    answer = api.get(PRODUCTS, headers={"Origin": ALLOWED})
    assert answer.status_code == 200
    for response in (preflight, answer):
        assert not [name for name in response.headers if name.lower().startswith("access-control-")]
