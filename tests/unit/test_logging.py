"""gatehouse.logging: secrets never reach a log line."""

from __future__ import annotations

import json

import pytest
import structlog

from gatehouse.logging import configure_logging, mask_secrets

KEY = "ak_test_AbCdEfGh12345678"
SECRET = "sk_ZyXwVuTs98765432_-abc"  # noqa: S105 - a fake, to be masked


@pytest.mark.parametrize(
    "name",
    [
        "secret",
        "api_secret",
        "X-API-Signature",
        "password",
        "token",
        "authorization",
        "api_key",
        "apiKey",
        "API-KEY",
    ],
)
def test_values_under_sensitive_names_are_masked(name):
    assert mask_secrets(None, "info", {name: "anything", "n": 1}) == {name: "***", "n": 1}


def test_non_string_values_under_sensitive_names_are_masked_too():
    assert mask_secrets(None, "info", {"token": 12345}) == {"token": "***"}


def test_credentials_inside_strings_are_masked():
    event = {"event": f"retrying with {KEY} and {SECRET}.", "path": "/api/v1/products"}
    masked = mask_secrets(None, "info", event)
    assert masked == {"event": "retrying with ak_*** and sk_***.", "path": "/api/v1/products"}


def test_ordinary_fields_are_untouched():
    event = {"event": "request", "status": 200, "request_id": "req_01ABC", "sku": "ask_me"}
    assert mask_secrets(None, "info", dict(event)) == event


def test_configured_logger_masks(capsys):
    configure_logging("INFO", as_json=True)
    try:
        structlog.get_logger("t").info("issued", key_id="key_1", secret=SECRET, note=f"key {KEY}")
    finally:
        structlog.reset_defaults()
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["secret"] == "***"  # noqa: S105
    assert line["note"] == "key ak_***"
    assert SECRET not in json.dumps(line) and KEY not in json.dumps(line)
