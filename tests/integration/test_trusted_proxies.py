"""Allowlists judge the client's address: the peer, or X-Forwarded-For from a trusted proxy."""

from __future__ import annotations

import pytest

from tests.support.api import PRODUCTS, BaseUrlSession, assert_error
from tests.support.server import LiveServer
from tests.support.signing import SignedKeyAuth

KEYS = "/api/v1/api-keys"


def allowlisted_key(api, *networks: str) -> dict:
    body = {"name": "Allowlisted", "tier": "enterprise", "ipAllowlist": list(networks)}
    response = api.post(KEYS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def get_from(base_url: str, key: dict, forwarded_for: str | None = None):
    session = BaseUrlSession(base_url, SignedKeyAuth(key["key"], key["secret"]))
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    return session.get(PRODUCTS, headers=headers)


@pytest.fixture(scope="module")
def proxied_server(tmp_path_factory):
    """A server behind a proxy on loopback: 127.0.0.1 is trusted (SQLite suffices)."""
    var_dir = tmp_path_factory.mktemp("proxied")
    live = LiveServer(
        {
            "DATABASE_URL": f"sqlite:///{var_dir / 'gatehouse.db'}",
            "GATEHOUSE_VAR_DIR": str(var_dir),
            "GATEHOUSE_VALIDATE_RESPONSES": "true",
            "GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.0/8",
        },
        var_dir / "server.log",
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def proxied_api(proxied_server) -> BaseUrlSession:
    return BaseUrlSession(proxied_server.url, proxied_server.new_tenant("Behind a proxy").auth)


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(api, server):
    remote_only = allowlisted_key(api, "203.0.113.0/24")
    loopback = allowlisted_key(api, "127.0.0.1/32")

    refused = get_from(server.url, remote_only, forwarded_for="203.0.113.5")
    error = assert_error(refused, 403, "AUTHORIZATION_ERROR")
    assert "address" in error["message"]
    assert get_from(server.url, loopback, forwarded_for="203.0.113.5").status_code == 200


@pytest.mark.parametrize(
    "forwarded_for, status",
    [
        ("203.0.113.5", 200),
        # The right-most hop our proxy did not write itself decides...
        ("198.51.100.1, 203.0.113.5", 200),
        ("203.0.113.5, 198.51.100.1", 403),
        # ...past our own proxies further in.
        ("203.0.113.5, 10.1.2.3", 200),
        ("198.51.100.1", 403),
        ("not-an-address", 403),
        # Only the proxy itself, then: it is not on the list.
        (None, 403),
        # An IPv4 client seen through IPv6 is its IPv4 address.
        ("::ffff:203.0.113.5", 200),
    ],
)
def test_behind_a_trusted_proxy_forwarded_for_decides(
    proxied_server, proxied_api, forwarded_for, status
):
    key = allowlisted_key(proxied_api, "203.0.113.0/24")
    assert get_from(proxied_server.url, key, forwarded_for).status_code == status


@pytest.mark.parametrize(
    "forwarded_for, status", [("2001:db8:1::7", 200), ("2001:db9::7", 403), ("::1", 403)]
)
def test_ipv6_allowlists_match_ipv6_clients(proxied_server, proxied_api, forwarded_for, status):
    key = allowlisted_key(proxied_api, "2001:db8::/32", "203.0.113.0/24")
    assert get_from(proxied_server.url, key, forwarded_for).status_code == status


def test_ipv6_networks_are_accepted_and_normalised(api):
    key = allowlisted_key(api, "::1/128", "2001:DB8::1/32", "203.0.113.9/24", "2001:db8::/32")
    assert key["ipAllowlist"] == ["::1/128", "2001:db8::/32", "203.0.113.0/24"]


@pytest.mark.parametrize("network", ["::1/129", "2001:db8:::/32", "2001:db8::1", "fe80::1%eth0/64"])
def test_malformed_ipv6_networks_are_invalid(api, network):
    body = {"name": "Bad", "tier": "enterprise", "ipAllowlist": [network]}
    error = assert_error(api.post(KEYS, json=body), 400, "VALIDATION_ERROR")
    assert list(error["details"]) == ["ipAllowlist.0"]
