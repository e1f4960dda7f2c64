"""Checks every request passes before its handler: Origin, then the session.

They run before the body is read, so a refusal here must also close the connection: hypercorn
0.18 otherwise leaves the unread body on a keep-alive connection and drops or hangs the client's
next request on it (see `close_after_early_refusal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from quart import Response, g, request

from server.db import sessions
from server.errors import ForbiddenOrigin, Unauthenticated
from server.http.context import config, db, services

SESSION_COOKIE = "sid"
# Longer than any token we issue: a bound on what an unknown cookie can make us hash and look up.
MAX_TOKEN_LENGTH = 128
COOKIE_MAX_AGE = int(sessions.SESSION_LIFETIME.total_seconds())
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Everything under these prefixes needs a session, except PUBLIC_PATHS.
PROTECTED_PREFIXES = ("/api/", "/media/")
PUBLIC_PATHS = frozenset(
    {"/api/health", "/api/openapi.json", "/api/auth/register", "/api/auth/login"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_allowed(origin: str, host_header: str, allowed: tuple[str, ...]) -> bool:
    """Allowed: our own origin (its host and port equal the Host header, which a proxy forwards)
    or one listed in SOCIALNET_ALLOWED_ORIGINS."""
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


def check_origin() -> None:
    """Unsafe methods and WebSocket upgrades from a foreign Origin get 403 forbidden_origin.
    No Origin at all is a non-browser client, which this check lets pass."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    if not origin_allowed(origin, request.headers.get("Host", ""), config().allowed_origins):
        raise ForbiddenOrigin()


def session_token(cookies: Mapping[str, str]) -> str | None:
    """The session token among parsed cookies (HTTP and /ws alike), if it can be one."""
    token = cookies.get(SESSION_COOKIE)
    return token if token and len(token) <= MAX_TOKEN_LENGTH else None


def needs_session(path: str) -> bool:
    return path.startswith(PROTECTED_PREFIXES) and path not in PUBLIC_PATHS


async def load_session() -> None:
    """Set g.user_id and g.session_id from the `sid` cookie when it names a live session."""
    g.user_id = g.session_id = None
    g.session_refreshed = False
    token = session_token(request.cookies)
    if token is None:
        return
    cache = services().sessions
    cached = cache.get(token)
    if cached is not None:
        g.session_id, g.user_id = cached
        return
    found = await db().run(sessions.touch_session, token)
    if found is not None:
        g.session_id, g.user_id, g.session_refreshed = found
        cache.put(token, g.session_id, g.user_id)


async def guard_request() -> None:
    if request.method in UNSAFE_METHODS:
        check_origin()
    if needs_session(request.path):
        await load_session()
        if g.user_id is None:
            raise Unauthenticated()


def _request_has_body() -> bool:
    if request.headers.get("Transfer-Encoding", "").lower() == "chunked":
        return True
    return (request.content_length or 0) > 0


async def close_after_early_refusal(response: Response) -> Response:
    """An error answer to a request that carried a body closes the connection: the body may be
    unread, and the next request on a keep-alive connection would then be lost."""
    if response.status_code >= 400 and _request_has_body():
        response.headers["Connection"] = "close"
    return response


def set_session_cookie(response: Response, token: str, *, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=config().secure_cookies,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=config().secure_cookies
    )


async def refresh_session_cookie(response: Response) -> Response:
    """Sliding expiry: when the guard pushed the session forward, push the cookie forward too."""
    if getattr(g, "session_refreshed", False) and response.status_code < 400:
        token = request.cookies.get(SESSION_COOKIE)
        if token and SESSION_COOKIE not in response.headers.get("Set-Cookie", ""):
            set_session_cookie(response, token, max_age=COOKIE_MAX_AGE)
    return response
