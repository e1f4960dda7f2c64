"""Who is asking: the client address that per-address budgets count (SPEC.md, Rate limits).

It is the peer of the connection, unless that peer is a trusted proxy (SOCIALNET_TRUSTED_PROXIES):
then it is the nearest untrusted hop of X-Forwarded-For, read from the right. Each proxy appends
the address it saw, so the hops right of the first untrusted one were written by proxies we
trust, and everything left of it may have been written by the client: never trust those.

A budget is kept per key: an IPv4 address, or the /64 network of an IPv6 address (one host is
routinely given a whole /64, so counting single IPv6 addresses would count nothing).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from server.config import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# The network one IPv6 client is assumed to control.
IPV6_CLIENT_PREFIX = 64


def parse_address(text: str) -> Address | None:
    """An address as peers and proxies write it (`1.2.3.4`, `::1`, `[::1]:443`, `1.2.3.4:80`),
    or None."""
    text = text.strip()
    if text.startswith("["):  # [v6]:port
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def is_trusted_peer(peer: str, proxies: tuple[Network, ...]) -> bool:
    """Whether the connection's peer is a trusted proxy (whose headers may be believed)."""
    if not proxies:
        return False
    address = parse_address(peer)
    return address is not None and _trusted(address, proxies)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], proxies: tuple[Network, ...]
) -> Address | None:
    """The client's address: the peer, or, when the peer is a trusted proxy, the nearest
    untrusted X-Forwarded-For hop (the leftmost one when every hop is trusted). `forwarded_for`
    is every X-Forwarded-For header in order. None when the peer is not an IP address (a unix
    socket)."""
    peer_address = parse_address(peer) if peer else None
    if peer_address is None or not _trusted(peer_address, proxies):
        return peer_address
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    nearest = peer_address
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # Not written by a proxy we trust (they write addresses): stop at what we know.
            return nearest
        nearest = address
        if not _trusted(address, proxies):
            return address
    return nearest


def budget_key(address: Address | None) -> str:
    """The key a client's budgets are kept under."""
    if address is None:
        return "local"
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False)
        return str(network)
    return str(address)
