"""v1 and v2 served together: the version header, and v2's problem details."""

from __future__ import annotations

from ulid import ULID

from tests.support.api import BaseUrlSession, assert_error, product_body
from tests.support.problems import assert_problem, fields_of
from tests.support.records import issue_key

V1, V2 = "/api/v1/products", "/api/v2/products"


def test_both_versions_serve_the_same_products(api, prefix):
    created = api.post(V2, json=product_body(prefix))
    assert created.status_code == 201, created.text
    assert created.headers["X-API-Version"] == "v2"
    product = created.json()["data"]

    through_v1 = api.get(f"{V1}/{product['id']}")
    through_v2 = api.get(f"{V2}/{product['id']}")

    assert through_v1.headers["X-API-Version"] == "v1"
    assert through_v2.headers["X-API-Version"] == "v2"
    assert through_v1.json()["data"] == through_v2.json()["data"] == product


def test_v2_validation_problem_names_every_invalid_field_once(api, prefix):
    body = {"sku": prefix, "price": "12.5", "currency": "euro"}  # no name either

    problem = assert_problem(api.post(V2, json=body), 400, "VALIDATION_ERROR")
    v1_error = assert_error(api.post(V1, json=body), 400, "VALIDATION_ERROR")

    assert (
        sorted(fields_of(problem))
        == sorted(v1_error["details"])
        == [
            "currency",
            "name",
            "price",
        ]
    )
    assert all(entry["detail"].strip() for entry in problem["errors"])
    assert problem["title"] == "Bad Request"


def test_v2_not_found_is_a_problem(api):
    missing = f"prod_{ULID()}"
    problem = assert_problem(api.get(f"{V2}/{missing}"), 404, "NOT_FOUND")
    assert missing in problem["detail"]
    assert problem["title"] == "Not Found"
    assert "errors" not in problem
    assert_problem(api.get("/api/v2/nothing-here"), 404, "NOT_FOUND")


def test_v2_authentication_failure_is_a_problem(anonymous):
    problem = assert_problem(anonymous.get(V2), 401, "AUTHENTICATION_ERROR")
    assert problem["title"] == "Unauthorized"


def test_v2_missing_scope_is_a_problem(server, tenant, prefix):
    reader = issue_key(server, tenant.organization_id, scopes=["products:read"])
    session = BaseUrlSession(server.url, reader.auth)

    problem = assert_problem(
        session.post(V2, json=product_body(prefix)), 403, "AUTHORIZATION_ERROR"
    )

    assert "products:write" in problem["detail"]
    assert session.get(V2).status_code == 200


def test_v2_method_not_allowed_is_a_problem(api):
    assert_problem(api.patch(V2, json={}), 405, "METHOD_NOT_ALLOWED")


def test_a_version_header_that_contradicts_the_path_is_refused(api):
    problem = assert_problem(api.get(V2, headers={"X-API-Version": "v1"}), 400, "VALIDATION_ERROR")
    assert fields_of(problem) == ["header.X-API-Version"]
    error = assert_error(api.get(V1, headers={"X-API-Version": "2"}), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"header.X-API-Version"}
    for sent in ("v3", "V2", "latest", ""):
        assert_problem(api.get(V2, headers={"X-API-Version": sent}), 400, "VALIDATION_ERROR")


def test_a_version_header_that_agrees_is_accepted(api):
    for sent in ("v2", "2"):
        response = api.get(V2, params={"limit": 1}, headers={"X-API-Version": sent})
        assert response.status_code == 200, response.text
        assert response.headers["X-API-Version"] == "v2"
    assert api.get(V1, headers={"X-API-Version": "v1"}).status_code == 200


def test_version_independent_paths_ignore_the_header(anonymous):
    response = anonymous.get("/api/health", headers={"X-API-Version": "v2"})
    assert response.status_code == 200


def test_v2_answers_without_a_body_have_no_problem_content_type(api, prefix):
    product = api.post(V2, json=product_body(prefix)).json()["data"]
    deleted = api.delete(f"{V2}/{product['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "problem" not in deleted.headers.get("Content-Type", "")
    assert_problem(api.get(f"{V2}/{product['id']}"), 404, "NOT_FOUND")
