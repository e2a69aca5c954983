"""Checks of v2's RFC 9457 problem details."""

from __future__ import annotations

import requests

from tests.support.api import assert_no_leak

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "code", "requestId"}


def assert_problem(response: requests.Response, status: int, code: str) -> dict:
    """A v2 problem, tied to its response's status, headers and path; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["X-API-Version"] == "v2"
    assert_no_leak(response.text)
    problem = response.json()
    assert PROBLEM_FIELDS <= set(problem) <= PROBLEM_FIELDS | {"errors", "retryAfter"}, problem
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"].endswith(f"/errors#{code}")
    assert problem["title"] and problem["detail"].strip()
    assert problem["instance"] == requests.utils.urlparse(response.url).path
    assert problem["requestId"] == response.headers["X-Request-Id"]
    return problem


def fields_of(problem: dict) -> list[str]:
    return [entry["field"] for entry in problem.get("errors", [])]
