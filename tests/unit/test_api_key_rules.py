"""The rules of handlers.api_keys the spec cannot state: granting scopes, allowlists, self."""

from __future__ import annotations

import pytest

from generated.models import Cidr
from handlers.api_keys import _allowlist, _not_self
from handlers.errors import Conflict, Forbidden, Unprocessable
from handlers.grants import grantable_scopes

CALLER = {"key_id": "key_A", "scope": ["products:read", "keys:manage"]}


def test_a_key_gets_the_callers_scopes_when_none_are_asked_for():
    assert grantable_scopes(None, CALLER) == ["products:read", "keys:manage"]


def test_a_key_may_get_fewer_scopes_than_the_caller():
    assert grantable_scopes(["products:read"], CALLER) == ["products:read"]
    assert grantable_scopes([], CALLER) == []


def test_a_key_may_not_get_a_scope_the_caller_lacks():
    with pytest.raises(Forbidden, match="orders:write, usage:read"):
        grantable_scopes(["products:read", "orders:write", "usage:read"], CALLER)


def test_an_allowlist_is_for_the_enterprise_tier():
    with pytest.raises(Unprocessable) as refused:
        _allowlist([Cidr("10.0.0.0/8")], "pro")
    assert refused.value.field == "ipAllowlist"
    assert _allowlist(None, "pro") is None and _allowlist([], "free") is None


def test_an_allowlist_is_normalised_and_deduplicated():
    networks = [Cidr("10.1.2.3/8"), Cidr("10.0.0.0/8"), Cidr("192.0.2.7/32")]
    assert _allowlist(networks, "enterprise") == ["10.0.0.0/8", "192.0.2.7/32"]


@pytest.mark.parametrize("action", ["revoke", "regenerate"])
def test_a_key_cannot_act_on_itself(action):
    with pytest.raises(Conflict, match=f"cannot {action} itself"):
        _not_self(CALLER, "key_A", action)
    _not_self(CALLER, "key_B", action)  # another key is fine
