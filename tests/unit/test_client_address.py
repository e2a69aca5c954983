"""gatehouse.client_address and address_allowed: who a request came from, IPv4 and IPv6."""

from __future__ import annotations

import ipaddress

import pytest

from gatehouse.client_address import client_address, client_address_of, parse_networks
from gatehouse.security import address_allowed
from gatehouse.settings import Settings

PROXIES = parse_networks("127.0.0.1, 10.0.0.0/8, fd00::/8")


def test_parse_networks_reads_cidrs_and_bare_addresses():
    assert parse_networks(" 10.0.0.0/8 ,, ::1, 2001:db8::1/32 ") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("2001:db8::/32"),
    )
    assert parse_networks("") == ()


@pytest.mark.parametrize("text", ["10.0.0.0/33", "proxy.internal", "10.0.0.0/8;"])
def test_parse_networks_names_the_setting_and_the_bad_entry(text):
    with pytest.raises(ValueError, match=r"GATEHOUSE_TRUSTED_PROXIES: .* is not an IP address"):
        parse_networks(text)


def test_settings_refuse_a_bad_trusted_proxy_at_start_up():
    with pytest.raises(ValueError, match="GATEHOUSE_TRUSTED_PROXIES"):
        Settings.from_env({"GATEHOUSE_TRUSTED_PROXIES": "10.0.0.0/8, nonsense"})
    assert Settings.from_env({}).trusted_proxies == ()


@pytest.mark.parametrize(
    "peer, forwarded, client",
    [
        # An untrusted peer is the client, whatever it writes in X-Forwarded-For.
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),
        ("203.0.113.9", [], "203.0.113.9"),
        # A trusted peer: the right-most hop that is not a trusted proxy.
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["198.51.100.1, 203.0.113.9"], "203.0.113.9"),
        ("127.0.0.1", ["203.0.113.9, 10.1.2.3"], "203.0.113.9"),
        ("127.0.0.1", ["198.51.100.1", "203.0.113.9, 10.1.2.3"], "203.0.113.9"),
        # Nothing forwarded, or only our own proxies: the closest we know.
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),
        # A malformed hop ends the chain we can trust: no address at all.
        ("127.0.0.1", ["198.51.100.1, not-an-ip"], None),
        ("127.0.0.1", ["198.51.100.1:443"], None),
        # IPv6 peers and hops; IPv4-mapped addresses are their IPv4.
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
        ("::ffff:127.0.0.1", ["::ffff:198.51.100.1"], "198.51.100.1"),
        ("::ffff:203.0.113.9", ["198.51.100.1"], "203.0.113.9"),
        (None, ["198.51.100.1"], None),
    ],
)
def test_client_address(peer, forwarded, client):
    assert client_address(peer, forwarded, PROXIES) == client


def test_no_trusted_proxies_means_the_peer_always():
    assert client_address("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"


def test_client_address_of_reads_every_forwarded_header_of_the_scope():
    scope = {
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"x-forwarded-for", b"198.51.100.1"),
            (b"host", b"api.example.com"),
            (b"x-forwarded-for", b"203.0.113.9"),
        ],
    }
    assert client_address_of(scope, PROXIES) == "203.0.113.9"
    assert client_address_of({"headers": []}, PROXIES) is None


@pytest.mark.parametrize(
    "client, allowlist, allowed",
    [
        ("203.0.113.7", ["203.0.113.0/24"], True),
        ("203.0.114.7", ["203.0.113.0/24"], False),
        ("::1", ["::1/128"], True),
        ("::2", ["::1/128"], False),
        ("2001:db8:ffff::1", ["2001:db8::/32"], True),
        ("2001:db9::1", ["2001:db8::/32"], False),
        # An IPv4 client over an IPv6 socket is judged by its IPv4 address.
        ("::ffff:203.0.113.7", ["203.0.113.0/24"], True),
        ("::ffff:203.0.114.7", ["203.0.113.0/24"], False),
        # Mixed lists; versions never match each other.
        ("2001:db8::1", ["203.0.113.0/24", "2001:db8::/32"], True),
        ("203.0.113.7", ["2001:db8::/32"], False),
        ("2001:db8::1", ["0.0.0.0/0"], False),
        # No allowlist: anywhere. An allowlist and no usable address: refused.
        (None, None, True),
        (None, ["::/0"], False),
        ("garbage", ["0.0.0.0/0"], False),
    ],
)
def test_address_allowed(client, allowlist, allowed):
    assert address_allowed(client, allowlist) is allowed
