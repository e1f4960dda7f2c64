"""Accounts and sessions: register, login, logout, me (API.md, Auth)."""

from __future__ import annotations

import trio
from quart import Blueprint, g, make_response, request

from server.db import users
from server.domain import accounts, credentials, external_login, password_resets, passwords
from server.domain.inputs import Boolean, Fields, Typed
from server.domain.sessions import list_sessions
from server.errors import Conflict, EmailTaken, InvalidCredentials, NotFound, ValidationError
from server.http.context import db, services, session, viewer_id
from server.http.contract import NO_CONTENT, Answer, declare
from server.http.guards import clear_session_cookie, load_session, set_session_cookie
from server.http.uploads import open_upload
from server.schema import BOOLEAN, ID, TIME, items_of, nullable, obj
from server.shapes import ME, iso, me_json

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")

ME_ANSWER = obj({"user": ME})
SIGNED_IN = Answer(schema=ME_ANSWER, description="Signed in", headers=("Set-Cookie",))


@blueprint.post("/register")
@declare(form=accounts.REGISTRATION, answers={201: SIGNED_IN}, errors=(EmailTaken,))
async def register(body: dict):
    """Create an account (multipart, avatar optional) and log it in."""
    avatar_bytes = body.pop("avatar")
    form = accounts.Registration(**body)
    async with open_upload(avatar_bytes, field="avatar") as avatar:
        password_hash = await trio.to_thread.run_sync(passwords.hash_password, form.password)
        user, token = await db().transaction(
            accounts.register, form, password_hash, avatar, request.headers.get("User-Agent")
        )
    return await _with_cookie({"user": me_json(user)}, 201, token)


@blueprint.post("/login")
@declare(
    json=Fields(email=Typed(), password=Typed()),
    answers={200: SIGNED_IN},
    errors=(InvalidCredentials,),
)
async def login(body: dict):
    """Log in by email and password; a new session token every time."""
    email, password = body["email"], body["password"]
    await load_session()
    replacing = g.session.id if g.session is not None else None
    user, token = await services().sessions.log_in(
        email, password, replacing=replacing, user_agent=request.headers.get("User-Agent")
    )
    return await _with_cookie({"user": me_json(user)}, 200, token)


@blueprint.post("/logout")
@declare(answers={204: NO_CONTENT})
async def logout():
    """End this session: delete its row, clear the cookie, close its sockets."""
    await services().sessions.log_out(session().id)
    response = await make_response("", 204)
    clear_session_cookie(response)
    return response


@blueprint.post("/password")
@declare(json=credentials.PASSWORD_CHANGE, answers={204: NO_CONTENT})
async def change_password(body: dict):
    """A new password; the current one is required. Every other session of the user ends."""
    await credentials.change_password(
        services().sessions, session(), body["current_password"], body["new_password"]
    )
    return "", 204


@blueprint.post("/password-reset")
@declare(json=Fields(email=accounts.EMAIL), answers={204: NO_CONTENT})
async def request_password_reset(body: dict):
    """Mail a single-use reset link valid for an hour; 204 whether or not the email exists."""
    # RATE LIMIT HOOK (merge with branch `ratelimits`): SPEC's budget for this route is 5
    # requests per 30 minutes per client address. That branch charges it in the request guard
    # by path (server/http/ratelimits.py, PASSWORD_RESET_PATH = "/api/auth/password-reset",
    # before the body is read), so nothing needs calling here; if the budget moves into the
    # handler instead, it is spent here, before the request is queued.
    services().resets.request_nowait(body["email"])
    return "", 204


@blueprint.post("/password-reset/confirm")
@declare(json=password_resets.CONFIRMATION, answers={204: NO_CONTENT})
async def confirm_password_reset(body: dict):
    """Set a new password with a mailed token; every session of the user ends."""
    await services().resets.confirm(body["token"], body["new_password"])
    return "", 204


SESSION = obj(
    {
        "id": ID,
        "created_at": TIME,
        "last_seen_at": TIME,
        "user_agent": nullable({"type": "string"}),
        "current": BOOLEAN,
    }
)


@blueprint.get("/sessions")
@declare(answers={200: items_of(SESSION)})
async def sessions_list():
    """The viewer's live sessions: start, last use (within 5 minutes), browser, this one."""
    items = await db().run(list_sessions, session())
    return {
        "items": [
            {
                "id": item.id,
                "created_at": iso(item.created_at),
                "last_seen_at": iso(item.last_seen_at),
                "user_agent": item.user_agent,
                "current": item.current,
            }
            for item in items
        ]
    }


@blueprint.delete("/sessions/<id:session_id>")
@declare(answers={204: NO_CONTENT})
async def end_session(session_id: int):
    """End one of the viewer's sessions (this one too: then the cookie is cleared)."""
    current = session()
    await services().sessions.end_session(current, session_id)
    response = await make_response("", 204)
    if session_id == current.id:
        clear_session_cookie(response)
    return response


@blueprint.delete("/sessions")
@declare(query=Fields(others=Boolean(default=False)), answers={204: NO_CONTENT})
async def end_other_sessions(query: dict):
    """`?others=true`: end every session of the viewer but this one."""
    if not query["others"]:
        raise ValidationError(fields={"others": "say others=true to end every other session"})
    await services().sessions.end_other_sessions(session())
    return "", 204


@blueprint.post("/complete-profile")
@declare(json=external_login.COMPLETION, answers={200: ME_ANSWER}, errors=(Conflict,))
async def complete_profile(body: dict):
    """Give an account made through a provider its date of birth (and names if missing)."""
    user = await db().transaction(external_login.complete_profile, viewer_id(), body)
    return {"user": me_json(user)}


@blueprint.get("/me")
@declare(answers={200: ME_ANSWER})
async def me():
    """The logged-in user's own profile."""
    user = await db().run(users.select_user, viewer_id())
    if user is None:
        raise NotFound()
    return {"user": me_json(user)}


async def _with_cookie(payload: dict, status: int, token: str):
    response = await make_response(payload, status)
    set_session_cookie(response, token)
    return response
