"""Idempotency without I/O: request fingerprints, where keys apply, whose key it is."""

from __future__ import annotations

import hashlib

import anyio
import pytest

from gatehouse.idempotency import (
    BufferedAnswer,
    fingerprint,
    idempotent_operations,
    key_scope,
)
from gatehouse.settings import Settings
from storage.idempotency import KeyScope

BODY = b'{"sku":"MUG-1","price":"9.50"}'


def test_a_fingerprint_is_a_sha256_hex_digest_and_stable():
    first = fingerprint("POST", "/api/v1/products", BODY)

    assert first == fingerprint("POST", "/api/v1/products", BODY)
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != hashlib.sha256(b"POST/api/v1/products" + BODY).hexdigest()


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("PUT", "/api/v1/products", BODY),
        ("POST", "/api/v1/api-keys", BODY),
        ("POST", "/api/v1/products?page=2", BODY),
        ("POST", "/api/v1/products", BODY + b" "),
        ("POST", "/api/v1/products", b""),
    ],
)
def test_any_difference_in_method_target_or_body_changes_the_fingerprint(method, target, body):
    assert fingerprint(method, target, body) != fingerprint("POST", "/api/v1/products", BODY)


def test_parts_cannot_run_into_each_other():
    # Without length prefixes these two would hash the same bytes.
    assert fingerprint("POST", "/a", b"b") != fingerprint("POST", "/ab", b"")
    assert fingerprint("POS", "T/a", b"") != fingerprint("POST", "/a", b"")


def test_the_method_is_compared_case_insensitively():
    assert fingerprint("post", "/x", b"") == fingerprint("POST", "/x", b"")


DOCUMENT = {
    "paths": {
        "/products": {
            "get": {"operationId": "handlers.products.list_products"},
            "post": {
                "operationId": "handlers.products.create_product",
                "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
            },
        },
        "/inline": {
            "post": {
                "operationId": "handlers.inline.create",
                "parameters": [{"name": "idempotency-key", "in": "header"}],
            },
        },
        "/query": {
            "post": {
                "operationId": "handlers.query.create",
                "parameters": [{"name": "Idempotency-Key", "in": "query"}],
            },
        },
        "/auth/login": {"post": {"operationId": "handlers.auth.login"}},
    },
    "components": {
        "parameters": {"IdempotencyKey": {"name": "Idempotency-Key", "in": "header"}},
    },
}


def test_keys_apply_exactly_where_the_spec_declares_the_header():
    assert idempotent_operations("/api/v1", DOCUMENT) == {
        ("/api/v1", "handlers.products.create_product"),
        ("/api/v1", "handlers.inline.create"),
    }


@pytest.mark.parametrize(
    ("principal", "credential"),
    [
        ({"key_id": "key_1", "org": "org_1", "mode": "test"}, "key_1"),
        ({"client_id": "cli_1", "org": "org_1", "mode": "live"}, "cli_1"),
        ({"user_id": "usr_1", "org": "org_1", "mode": "live"}, "usr_1"),
    ],
)
def test_the_key_belongs_to_the_credential_in_its_organization_and_mode(principal, credential):
    assert key_scope(principal, "k") == KeyScope(credential, "org_1", principal["mode"], "k")


def test_a_principal_without_a_credential_holds_no_key():
    assert key_scope({"org": "org_1", "mode": "test"}, "k") is None


def test_only_the_headers_a_replay_needs_are_kept():
    answer = BufferedAnswer()

    async def feed() -> None:
        await answer.capture(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [
                    (b"Content-Type", b"application/json"),
                    (b"content-length", b"7"),
                    (b"location", b"/api/v1/products/prod_1"),
                    (b"x-request-id", b"req_1"),
                    (b"set-cookie", b"a=b"),
                ],
            }
        )
        await answer.capture({"type": "http.response.body", "body": b"{", "more_body": True})
        await answer.capture({"type": "http.response.body", "body": b'"a":1}'})

    anyio.run(feed)

    assert answer.status == 201
    assert answer.body == b'{"a":1}'
    assert answer.kept_headers() == {
        "content-type": "application/json",
        "location": "/api/v1/products/prod_1",
    }


def test_settings_default_to_a_day_and_a_minute_and_read_the_environment():
    assert Settings.from_env({}).idempotency_ttl_seconds == 86400
    assert Settings.from_env({}).idempotency_lock_timeout_seconds == 60
    tuned = Settings.from_env(
        {"GATEHOUSE_IDEMPOTENCY_TTL": "3600", "GATEHOUSE_IDEMPOTENCY_LOCK_TIMEOUT": "5"}
    )
    assert (tuned.idempotency_ttl_seconds, tuned.idempotency_lock_timeout_seconds) == (3600, 5)
