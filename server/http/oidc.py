"""Sign in with an external provider (API.md, Auth): the providers, start, callback.

The callback is a browser's navigation back from the provider, so every outcome is a redirect:
to `next` signed in (or to /complete-profile first), or to /login?error=<reason> when the
sign-in was refused (a forged or stale state, a wrong nonce, the provider saying no...).
"""

from __future__ import annotations

from quart import Blueprint, g, redirect, request

from server.domain.external_login import SignInRefused
from server.domain.inputs import Check, Fields
from server.errors import NotFound
from server.http.context import config, services
from server.http.contract import declare
from server.http.contract import redirect as redirect_answer
from server.http.guards import load_session, set_session_cookie
from server.schema import STRING, items_of, obj

blueprint = Blueprint("oidc", __name__, url_prefix="/api/auth")

STATE_COOKIE = "oidc_state"
STATE_COOKIE_PATH = "/api/auth/oidc/"
STATE_COOKIE_SECONDS = 600


PROVIDER = obj({"name": STRING, "label": STRING})
REFUSED = "or to /login?error=<reason> when refused"


def _as_sent(value: object) -> object:
    return value


def _passed(description: str) -> Check:
    """A query member the sign-in's own rules read (server/domain/external_login.py)."""
    return Check(_as_sent, {"type": "string", "description": description}, required=False)


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
@declare(answers={200: items_of(PROVIDER)}, database=False)
async def providers():
    """The configured sign-in providers, one button each on the login and register pages."""
    return {"items": services().logins.listing()}


@blueprint.get("/oidc/<name>/start")
@declare(
    query=Fields(next=_passed("where to go once signed in: a path of this site (else /)")),
    answers={302: redirect_answer(f"To the provider, {REFUSED}")},
    errors=(NotFound,),
)
async def start(name: str, query: dict):
    """Off to the provider (302), with a fresh state, nonce and PKCE challenge."""
    try:
        url, state = await services().logins.start(name, query["next"])
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
@declare(
    query=Fields(
        partial=True,
        state=_passed("the state this sign-in started with"),
        code=_passed("the provider's authorization code"),
        error=_passed("the provider's refusal"),
    ),
    answers={302: redirect_answer(f"To `next` signed in (or to /complete-profile), {REFUSED}")},
    errors=(NotFound,),
)
async def callback(name: str, query: dict):
    """Back from the provider: signed in and on to `next` (302), or refused to /login."""
    await load_session()
    replacing = g.session.id if g.session is not None else None
    try:
        signed_in = await services().logins.finish(
            name,
            query,
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
