"""Scopes and allowlists: the catalogue, the CLI's parsing, the checks at the gateway."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from gatehouse.credentials import parse_scopes
from gatehouse.security import address_allowed, missing_scopes
from scripts.generate import ROOT
from storage.clock import utcnow
from storage.keys import SCOPES, key_status
from storage.models import ApiKey


def test_the_catalogue_is_the_specs_scope_enum():
    schemas = yaml.safe_load((ROOT / "openapi/v1/components/schemas.yaml").read_text())
    assert tuple(schemas["Scope"]["enum"]) == SCOPES


def test_parse_scopes_accepts_catalogue_names():
    assert parse_scopes(" products:read, orders:write ") == ["products:read", "orders:write"]


@pytest.mark.parametrize("text", ["", ",", "products:read,admin", "Products:Read"])
def test_parse_scopes_refuses_anything_else(text):
    with pytest.raises(ValueError, match="unknown scopes"):
        parse_scopes(text)


def test_missing_scopes_names_each_one_lacking():
    assert missing_scopes(["products:write"], ["products:read"]) == ["products:write"]
    assert missing_scopes(["products:read"], list(SCOPES)) == []
    assert missing_scopes(None, []) == []


@pytest.mark.parametrize(
    "client, allowlist, allowed",
    [
        ("127.0.0.1", None, True),
        ("127.0.0.1", ["127.0.0.0/8"], True),
        ("127.0.0.1", ["203.0.113.0/24"], False),
        ("203.0.113.9", ["10.0.0.0/8", "203.0.113.0/24"], True),
        (None, ["127.0.0.0/8"], False),
        ("not-an-address", ["127.0.0.0/8"], False),
        ("::1", ["127.0.0.0/8"], False),
    ],
)
def test_address_allowed(client, allowlist, allowed):
    assert address_allowed(client, allowlist) is allowed


@pytest.mark.parametrize(
    "status, expires_in, shown",
    [
        ("active", None, "active"),
        ("active", timedelta(days=1), "active"),
        ("active", timedelta(seconds=-1), "expired"),
        ("revoked", timedelta(days=1), "revoked"),
        ("revoked", timedelta(days=-1), "revoked"),
    ],
)
def test_key_status_is_computed_from_expiry(status, expires_in, shown):
    now = utcnow()
    key = ApiKey(status=status, expires_at=now + expires_in if expires_in else None)
    assert key_status(key, now) == shown
