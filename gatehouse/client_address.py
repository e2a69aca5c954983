"""The address a request came from, as IP allowlists judge it.

It is the TCP peer, unless the peer is one of the deployment's trusted proxies
(GATEHOUSE_TRUSTED_PROXIES): then it is the right-most X-Forwarded-For entry
that is not itself a trusted proxy. Entries left of that one were written by
the client or by proxies we do not run, so anyone could have forged them; the
right-most untrusted entry was appended by our own proxy, which saw its peer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str, setting: str = "GATEHOUSE_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """`10.0.0.0/8, ::1/128, 192.0.2.7` as networks (a bare address is a /32 or /128)."""
    networks = []
    for part in (item.strip() for item in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {part!r} is not an IP address or CIDR network") from None
    return tuple(networks)


def parse_address(text: str | None) -> Address | None:
    """An address, IPv4-mapped IPv6 (`::ffff:192.0.2.7`) as the IPv4 it carries; None if bad."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def within(address: Address, networks: Iterable[Network]) -> bool:
    # `in` across IP versions is simply False, so mixed lists need no special case.
    return any(address in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]
) -> str | None:
    """The client's address for a request from `peer` carrying these X-Forwarded-For values."""
    address = parse_address(peer)
    if address is None or not within(address, trusted):
        return str(address) if address is not None else None
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        forwarded = parse_address(hop)
        if forwarded is None:
            # A malformed hop is where the trustworthy chain ends: judge nobody by it.
            return None
        if not within(forwarded, trusted):
            return str(forwarded)
        address = forwarded
    # Every hop was a trusted proxy: the left-most is as close to the client as we know.
    return str(address)


def client_address_of(scope, trusted: tuple[Network, ...]) -> str | None:
    """`client_address` for an ASGI request scope."""
    peer = scope.get("client")
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name == b"x-forwarded-for"
    ]
    return client_address(peer[0] if peer else None, forwarded, trusted)
