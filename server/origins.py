"""The Origin rule of API.md, for unsafe HTTP requests and WebSocket upgrades alike: allowed
are the server's own origin (an Origin whose scheme is the request's, and whose host and port
equal the request's Host header, which a proxy forwards) and those listed in
SOCIALNET_ALLOWED_ORIGINS. A request without Origin (a non-browser client) is not a cross-site
request, and passes.

The scheme matters: a page served over plain HTTP is another origin than the same host over
HTTPS, and a plain-HTTP server must not take an `https://` Origin for its own. Behind a TLS
proxy that speaks HTTP to us, list the public origin in SOCIALNET_ALLOWED_ORIGINS."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# A WebSocket request's scheme, as the page that opened it would spell its own.
PAGE_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def origin_allowed(origin: str, host_header: str, scheme: str, allowed: tuple[str, ...]) -> bool:
    """`scheme`: the request's (http, https, ws or wss)."""
    if origin.rstrip("/") in allowed:
        return True
    theirs = urlsplit(origin)
    ours = urlsplit(f"//{host_header}")
    try:
        their_port, our_port = theirs.port, ours.port
    except ValueError:
        return False
    if theirs.scheme != PAGE_SCHEMES.get(scheme) or not theirs.hostname:
        return False
    if theirs.hostname != ours.hostname:
        return False
    default = DEFAULT_PORTS[theirs.scheme]
    return (our_port or default) == (their_port or default)
