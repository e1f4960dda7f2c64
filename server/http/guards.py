"""Checks every request passes before its handler: Origin, the client's budget (unsafe
methods), then the session.

They run before the body is read, so a refusal here must also close the connection: hypercorn
0.18 otherwise leaves the unread body on a keep-alive connection and drops or hangs the client's
next request on it (see `close_after_early_refusal`).
"""

from __future__ import annotations

from quart import Response, g, request

from server.domain import sessions
from server.errors import ForbiddenOrigin, Unauthenticated
from server.http import ratelimits
from server.http.context import config, services
from server.logs import note_user
from server.origins import origin_allowed

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Everything under these prefixes needs a session, except PUBLIC_PATHS.
PROTECTED_PREFIXES = ("/api/", "/media/")
PUBLIC_PATHS = frozenset(
    {
        "/api/health",
        "/api/health/live",
        "/api/health/ready",
        "/api/openapi.json",
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/password-reset",
        "/api/auth/password-reset/confirm",
    }
)


def check_origin() -> None:
    """Unsafe methods from a foreign Origin get 403 forbidden_origin (server/origins.py)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    host = request.headers.get("Host", "")
    if not origin_allowed(origin, host, request.scheme, config().allowed_origins):
        raise ForbiddenOrigin()


# Signing in through a provider: the providers list, start and callback.
PUBLIC_PREFIXES = ("/api/auth/providers", "/api/auth/oidc/")


def needs_session(path: str) -> bool:
    return (
        path.startswith(PROTECTED_PREFIXES)
        and path not in PUBLIC_PATHS
        and not path.startswith(PUBLIC_PREFIXES)
    )


async def load_session() -> None:
    """Set g.session from the `sid` cookie when it names a live session (else None)."""
    token = sessions.token_from_cookies(request.cookies)
    g.session = await services().sessions.authenticate(token)
    if g.session is not None:
        note_user(g.session.user_id)


async def guard_request() -> None:
    if request.method in UNSAFE_METHODS:
        check_origin()
        await ratelimits.charge_unsafe_request()
    if needs_session(request.path):
        await load_session()
        if g.session is None:
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


# Sent with every response. The client's pages carry their own Content-Security-Policy <meta>
# (with the hashes of SvelteKit's inline bootstrap, client/svelte.config.js); framing can only
# be refused by a header (clickjacking), and this one also covers the API and media.
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


async def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def set_session_cookie(response: Response, token: str) -> None:
    attributes = sessions.cookie_attributes(secure=config().secure_cookies)
    response.set_cookie(sessions.COOKIE_NAME, token, max_age=sessions.COOKIE_MAX_AGE, **attributes)


def clear_session_cookie(response: Response) -> None:
    attributes = sessions.cookie_attributes(secure=config().secure_cookies)
    response.delete_cookie(sessions.COOKIE_NAME, **attributes)


async def refresh_session_cookie(response: Response) -> Response:
    """Sliding expiry: when the guard pushed the session forward, push the cookie forward too."""
    session = getattr(g, "session", None)
    if session is not None and session.refreshed and response.status_code < 400:
        token = request.cookies.get(sessions.COOKIE_NAME)
        if token and sessions.COOKIE_NAME not in response.headers.get("Set-Cookie", ""):
            set_session_cookie(response, token)
    return response
