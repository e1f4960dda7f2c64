"""The Origin rule of API.md, for unsafe HTTP requests and WebSocket upgrades alike: allowed
are the server's own origin (an Origin whose host and port equal the request's Host header,
which a proxy forwards) and those listed in SOCIALNET_ALLOWED_ORIGINS. A request without Origin
(a non-browser client) is not a cross-site request, and passes."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_allowed(origin: str, host_header: str, allowed: tuple[str, ...]) -> bool:
    if origin.rstrip("/") in allowed:
        return True
    theirs = urlsplit(origin)
    ours = urlsplit(f"//{host_header}")
    try:
        their_port, our_port = theirs.port, ours.port
    except ValueError:
        return False
    if theirs.scheme not in DEFAULT_PORTS or not theirs.hostname:
        return False
    if theirs.hostname != ours.hostname:
        return False
    if our_port is None:
        # A Host without a port means the default port of the scheme the browser used (a TLS
        # proxy may speak plain HTTP to us), so the Origin must not name another port.
        return their_port is None
    return our_port == (their_port or DEFAULT_PORTS[theirs.scheme])
