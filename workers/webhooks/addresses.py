"""Where a webhook may point: https, public addresses, checked at registration and at delivery.

A name is resolved and every address it resolves to must pass, and delivery
connects to the address that was checked (no second lookup a rebinding DNS
server could answer differently). `allow_private` (GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE,
for local development and tests) permits plain http and loopback or private
addresses; link-local (cloud metadata at 169.254.169.254 among them),
multicast, unspecified and reserved addresses are refused even then.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(Exception):
    """The URL may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked address delivery connects to


def parse(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefused(f"not a valid URL: {error}") from error
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise UrlRefused("the URL must use https")
    if not parts.hostname:
        raise UrlRefused("the URL has no host")
    if parts.username or parts.password:
        raise UrlRefused("the URL may not carry credentials")
    if parts.fragment:
        raise UrlRefused("the URL may not carry a fragment")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, port or default, path


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why this address may not receive webhooks, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_link_local:
        return "link-local addresses (cloud metadata among them) are refused"
    if address.is_unspecified or address.is_multicast:
        return "unspecified and multicast addresses are refused"
    if address.is_loopback:
        return None if allow_private else "loopback addresses are refused"
    if allow_private and address.is_private:
        return None
    if address.is_reserved:
        return "reserved addresses are refused"
    # is_global is False for private, CGNAT (100.64/10), unique-local (fc00::/7),
    # documentation and benchmarking ranges alike.
    if not address.is_global:
        return "private and other non-public addresses are refused"
    return None


def resolve(url: str, *, allow_private: bool) -> Target:
    """The URL's target, with the one checked address to connect to; UrlRefused otherwise."""
    scheme, host, port, path = parse(url, allow_private=allow_private)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise UrlRefused(f"the host {host} does not resolve") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UrlRefused(f"the host {host} does not resolve")
    # Every address must pass: a name resolving to one public and one private
    # address would otherwise reach the private one on some attempts.
    for address in addresses:
        reason = refusal(address, allow_private=allow_private)
        if reason:
            raise UrlRefused(f"{host} resolves to {address}: {reason}")
    return Target(scheme, host, port, path, str(addresses[0]))
