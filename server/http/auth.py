"""Accounts and sessions: register, login, logout, me (API.md, Auth)."""

from __future__ import annotations

from datetime import UTC, datetime

import trio
from quart import Blueprint, g, make_response, request

from server.db import users
from server.domain import accounts, credentials, external_login, passwords
from server.domain.accounts import parse_bool
from server.domain.sessions import list_sessions
from server.errors import NotFound, ValidationError
from server.http import bodies
from server.http.context import db, services, session, viewer_id
from server.http.guards import clear_session_cookie, load_session, set_session_cookie
from server.http.uploads import open_upload
from server.shapes import iso, me_json

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")


@blueprint.post("/register")
async def register():
    """Create an account (multipart, avatar optional) and log it in."""
    fields = await bodies.form_fields()
    form = accounts.parse_registration(fields, today=datetime.now(UTC).date())
    avatar_bytes = await bodies.optional_file("avatar")
    async with open_upload(avatar_bytes, field="avatar") as avatar:
        password_hash = await trio.to_thread.run_sync(passwords.hash_password, form.password)
        user, token = await db().transaction(
            accounts.register, form, password_hash, avatar, request.headers.get("User-Agent")
        )
    return await _with_cookie({"user": me_json(user)}, 201, token)


@blueprint.post("/login")
async def login():
    """Log in by email and password; a new session token every time."""
    email, password = accounts.parse_login(await bodies.json_object())
    await load_session()
    replacing = g.session.id if g.session is not None else None
    user, token = await services().sessions.log_in(
        email, password, replacing=replacing, user_agent=request.headers.get("User-Agent")
    )
    return await _with_cookie({"user": me_json(user)}, 200, token)


@blueprint.post("/logout")
async def logout():
    """End this session: delete its row, clear the cookie, close its sockets."""
    await services().sessions.log_out(session().id)
    response = await make_response("", 204)
    clear_session_cookie(response)
    return response


@blueprint.post("/password")
async def change_password():
    """A new password; the current one is required. Every other session of the user ends."""
    await credentials.change_password(services().sessions, session(), await bodies.json_object())
    return "", 204


@blueprint.post("/password-reset")
async def request_password_reset():
    """Mail a single-use reset link valid for an hour; 204 whether or not the email exists."""
    # RATE LIMIT HOOK (merge with branch `ratelimits`): SPEC's budget for this route is 5
    # requests per 30 minutes per client address. That branch charges it in the request guard
    # by path (server/http/ratelimits.py, PASSWORD_RESET_PATH = "/api/auth/password-reset",
    # before the body is read), so nothing needs calling here; if the budget moves into the
    # handler instead, it is spent here, before the request is queued.
    services().resets.request_nowait(await bodies.json_object())
    return "", 204


@blueprint.post("/password-reset/confirm")
async def confirm_password_reset():
    """Set a new password with a mailed token; every session of the user ends."""
    await services().resets.confirm(await bodies.json_object())
    return "", 204


@blueprint.get("/sessions")
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
async def end_session(session_id: int):
    """End one of the viewer's sessions (this one too: then the cookie is cleared)."""
    current = session()
    await services().sessions.end_session(current, session_id)
    response = await make_response("", 204)
    if session_id == current.id:
        clear_session_cookie(response)
    return response


@blueprint.delete("/sessions")
async def end_other_sessions():
    """`?others=true`: end every session of the viewer but this one."""
    if not parse_bool(request.args.get("others"), field="others", default=False):
        raise ValidationError(fields={"others": "say others=true to end every other session"})
    await services().sessions.end_other_sessions(session())
    return "", 204


@blueprint.post("/complete-profile")
async def complete_profile():
    """Give an account made through a provider its date of birth (and names if missing)."""
    body = await bodies.json_object()
    user = await db().transaction(
        external_login.complete_profile, viewer_id(), body, datetime.now(UTC).date()
    )
    return {"user": me_json(user)}


@blueprint.get("/me")
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
