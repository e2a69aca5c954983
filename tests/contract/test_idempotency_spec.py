"""Every authenticated POST takes an Idempotency-Key, and says what it may answer.

New POST operations (customers, inventory, orders, payments, ...) fail here
until they declare the `IdempotencyKey` parameter, the `409` and `422` a key
can cause, and `Idempotent-Replayed` on their 2xx answers. The middleware
(gatehouse.idempotency) honours keys exactly where the spec declares them.
"""

from __future__ import annotations

import json

import pytest

from gatehouse.idempotency import HEADER, VALID_KEY, idempotent_operations
from tests.contract.test_spec import BUNDLES, operations

PARAMETER = "#/components/parameters/IdempotencyKey"
AUTHENTICATING = {"SignedApiKey", "OAuth2"}


def load(name: str) -> dict:
    return json.loads(BUNDLES[name].read_text())


def authenticated(operation: dict) -> bool:
    """True when a security requirement names one of our schemes (the token
    endpoint and the sign-in operations have `security: []`)."""
    return any(AUTHENTICATING & set(requirement) for requirement in operation.get("security", []))


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


def posts(name: str):
    document = load(name)
    for path, method, operation in operations(document):
        if method == "post":
            yield document, f"POST {path}", operation


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_every_authenticated_post_declares_the_idempotency_key(name):
    checked = []
    for document, where, operation in posts(name):
        declared = [p.get("$ref") for p in operation.get("parameters", [])]
        if not authenticated(operation):
            # Keys are per credential: without one, the server ignores the header.
            assert PARAMETER not in declared, f"{where} is unauthenticated yet declares it"
            continue
        checked.append(where)
        assert PARAMETER in declared, f"{where}: add - $ref: '{PARAMETER}' to its parameters"
        responses = operation["responses"]
        assert responses.get("409") == {"$ref": "#/components/responses/Conflict"}, where
        assert responses.get("422") == {"$ref": "#/components/responses/Unprocessable"}, where
        successes = [code for code in responses if code.startswith("2")]
        assert successes, where
        for code in successes:
            headers = resolve(document, responses[code]).get("headers", {})
            assert headers.get("Idempotent-Replayed") == {
                "$ref": "#/components/headers/Idempotent-Replayed"
            }, f"{where} {code} lacks the Idempotent-Replayed header"
    if name == "v1":
        # The test must see the operations it guards, or it proves nothing.
        assert {"POST /products", "POST /api-keys", "POST /oauth/clients"} <= set(checked)


def test_the_parameter_is_an_optional_header_of_visible_ascii_up_to_255():
    document = load("v1")
    parameter = resolve(document, {"$ref": PARAMETER})

    assert (parameter["name"], parameter["in"]) == (HEADER, "header")
    assert not parameter.get("required", False)
    schema = parameter["schema"]
    assert (schema["minLength"], schema["maxLength"]) == (1, 255)
    assert schema["pattern"] == VALID_KEY.pattern
    for phrase in ("24 hours", "credential", "Idempotent-Replayed", "422", "409"):
        assert phrase in parameter["description"], phrase


def test_the_server_honours_keys_exactly_on_those_operations():
    document = load("v1")
    declared = {
        ("/api/v1", op["operationId"])
        for path, method, op in operations(document)
        if method == "post" and authenticated(op)
    }

    assert idempotent_operations("/api/v1", document) == declared
