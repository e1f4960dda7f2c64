"""Who is asking (server/addresses.py): the peer, or a trusted proxy's X-Forwarded-For."""

from __future__ import annotations

import ipaddress

import pytest

from server.addresses import budget_key, client_address, parse_address
from server.config import parse_networks

PROXIES = parse_networks(("10.0.0.0/8", "127.0.0.1", "fd00::/8"), name="test")


def _client(peer, *headers, proxies=PROXIES) -> str | None:
    address = client_address(peer, list(headers), proxies)
    return None if address is None else str(address)


def test_an_untrusted_peer_is_the_client_whatever_it_forwards():
    assert _client("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert _client("127.0.0.1", "198.51.100.1", proxies=()) == "127.0.0.1"


def test_a_trusted_proxy_names_the_client():
    assert _client("127.0.0.1", "198.51.100.1") == "198.51.100.1"


def test_hops_a_client_wrote_itself_are_ignored():
    # The client sent "X-Forwarded-For: 192.0.2.66"; the proxy appended what it saw.
    assert _client("127.0.0.1", "192.0.2.66, 198.51.100.1") == "198.51.100.1"


def test_the_nearest_untrusted_hop_behind_a_chain_of_proxies():
    assert _client("127.0.0.1", "192.0.2.66, 198.51.100.1, 10.1.2.3") == "198.51.100.1"
    # Several headers read as one list, in order.
    assert _client("127.0.0.1", "192.0.2.66, 198.51.100.1", "10.1.2.3") == "198.51.100.1"


def test_every_hop_trusted_means_the_leftmost():
    assert _client("127.0.0.1", "10.0.0.7, 10.0.0.8") == "10.0.0.7"


def test_a_trusted_peer_without_forwarding_is_the_client():
    assert _client("127.0.0.1") == "127.0.0.1"
    assert _client("127.0.0.1", "  ") == "127.0.0.1"


def test_a_hop_that_is_no_address_stops_the_walk_at_the_last_trusted_one():
    assert _client("127.0.0.1", "198.51.100.1, unknown") == "127.0.0.1"
    assert _client("127.0.0.1", "garbage, 10.0.0.5") == "10.0.0.5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),
        (" 198.51.100.1 ", "198.51.100.1"),
        ("198.51.100.1:4431", "198.51.100.1"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:198.51.100.1", "198.51.100.1"),
        ("unknown", None),
        ("", None),
        ("<local>", None),
        ("[2001:db8::1", None),
    ],
)
def test_addresses_as_peers_and_proxies_write_them(text, expected):
    address = parse_address(text)
    assert (None if address is None else str(address)) == expected


def test_ipv6_clients_are_counted_by_their_64_network():
    one = budget_key(ipaddress.ip_address("2001:db8:1:2::1"))
    other = budget_key(ipaddress.ip_address("2001:db8:1:2:ffff::9"))
    elsewhere = budget_key(ipaddress.ip_address("2001:db8:1:3::1"))
    assert one == other == "2001:db8:1:2::/64"
    assert elsewhere != one
    assert budget_key(ipaddress.ip_address("198.51.100.1")) == "198.51.100.1"
    assert budget_key(None) == "local"


def test_a_trusted_ipv6_proxy():
    assert _client("fd00::1", "2001:db8::5") == "2001:db8::5"
