"""Sign in with an external provider (API.md, Auth): the providers, start, callback.

The callback is a browser's navigation back from the provider, so every outcome is a redirect:
to `next` signed in (or to /complete-profile first), or to /login?error=<reason> when the
sign-in was refused (a forged or stale state, a wrong nonce, the provider saying no...).
"""

from __future__ import annotations

from quart import Blueprint, g, redirect, request

from server.domain.external_login import SignInRefused
from server.http.context import config, services
from server.http.guards import load_session, set_session_cookie

blueprint = Blueprint("oidc", __name__, url_prefix="/api/auth")

STATE_COOKIE = "oidc_state"
STATE_COOKIE_PATH = "/api/auth/oidc/"
STATE_COOKIE_SECONDS = 600


def _refused(reason: str):
    response = redirect(f"/login?error={reason}", 302)
    _clear_state(response)
    return response


def _clear_state(response) -> None:
    response.delete_cookie(
        STATE_COOKIE, path=STATE_COOKIE_PATH, httponly=True, samesite="Lax",
        secure=config().secure_cookies,
    )  # fmt: skip


@blueprint.get("/providers")
async def providers():
    """The configured sign-in providers, one button each on the login and register pages."""
    return {"items": services().logins.listing()}


@blueprint.get("/oidc/<name>/start")
async def start(name: str):
    """Off to the provider (302), with a fresh state, nonce and PKCE challenge."""
    try:
        url, state = await services().logins.start(name, request.args.get("next"))
    except SignInRefused as refused:
        return _refused(refused.reason)
    response = redirect(url, 302)
    # Lax: the provider's redirect back is a top-level navigation, which carries it.
    response.set_cookie(
        STATE_COOKIE, state, max_age=STATE_COOKIE_SECONDS, path=STATE_COOKIE_PATH,
        httponly=True, samesite="Lax", secure=config().secure_cookies,
    )  # fmt: skip
    return response


@blueprint.get("/oidc/<name>/callback")
async def callback(name: str):
    """Back from the provider: signed in and on to `next` (302), or refused to /login."""
    await load_session()
    replacing = g.session.id if g.session is not None else None
    try:
        signed_in = await services().logins.finish(
            name,
            request.args.to_dict(),
            request.cookies.get(STATE_COOKIE),
            user_agent=request.headers.get("User-Agent"),
            replacing=replacing,
        )
    except SignInRefused as refused:
        return _refused(refused.reason)
    response = redirect(signed_in.destination, 302)
    _clear_state(response)
    set_session_cookie(response, signed_in.token)
    return response
