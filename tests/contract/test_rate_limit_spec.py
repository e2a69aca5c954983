"""Every answer the rate limiter counts declares what it carries: the limit fields and a 429.

The limiter counts every request but those under `EXEMPT_PATHS` (health, the
well-known keys). A counted operation's every response, errors included,
carries X-RateLimit-* and the IETF fields, and it may answer 429: an operation
added to any served root without them fails here, whoever adds it.
"""

from __future__ import annotations

import json

import pytest

from gatehouse.app import APIS, SPECS
from gatehouse.rate_limits import EXEMPT_PATHS

FIELDS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
)
METHODS = ("get", "put", "post", "delete", "patch")


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def counted_operations():
    for bundle, base, _ in APIS:
        document = json.loads((SPECS / bundle).read_text())
        for path, item in document["paths"].items():
            if (base + path).startswith(EXEMPT_PATHS):
                continue
            for method in METHODS:
                if method in item:
                    label = f"{method.upper()} {base}{path}"
                    yield pytest.param(document, item[method], id=label)


@pytest.mark.parametrize(("document", "operation"), list(counted_operations()))
def test_a_counted_operation_declares_the_limit_fields_and_429(document, operation):
    responses = operation["responses"]
    assert "429" in responses
    for status, response in responses.items():
        headers = resolve(document, response).get("headers", {})
        missing = [name for name in FIELDS if name not in headers]
        assert not missing, f"{status} lacks {missing}"
