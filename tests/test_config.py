"""Settings read from the environment: the rate-limit switch and the trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest

from server.config import Config, ConfigError


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("", True), ("on", True), ("ON", True), ("1", True), ("true", True)]
    + [("off", False), ("Off", False), ("0", False), ("false", False), ("no", False)],
)
def test_the_rate_limit_switch(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("SOCIALNET_RATE_LIMITS", raising=False)
    else:
        monkeypatch.setenv("SOCIALNET_RATE_LIMITS", value)
    assert Config().rate_limits is expected


def test_a_switch_it_cannot_read_is_refused_not_guessed(monkeypatch):
    monkeypatch.setenv("SOCIALNET_RATE_LIMITS", "disabled")
    with pytest.raises(ConfigError, match="SOCIALNET_RATE_LIMITS"):
        Config()


def test_trusted_proxies_are_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("SOCIALNET_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8,fd00::/8 ")
    assert Config().trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("fd00::/8"),
    )
    monkeypatch.delenv("SOCIALNET_TRUSTED_PROXIES")
    assert Config().trusted_proxies == ()


def test_a_proxy_that_is_no_address_is_refused(monkeypatch):
    monkeypatch.setenv("SOCIALNET_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ConfigError, match="'10.0.0.0/33'"):
        Config()
