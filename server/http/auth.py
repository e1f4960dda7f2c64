"""Accounts and sessions: register, login, logout, me (API.md, Auth)."""

from __future__ import annotations

from datetime import UTC, datetime

import trio
from quart import Blueprint, g, make_response

from server.db import users
from server.domain import accounts, credentials, passwords
from server.errors import NotFound
from server.http import bodies
from server.http.context import db, services, session, viewer_id
from server.http.guards import clear_session_cookie, load_session, set_session_cookie
from server.http.uploads import prepare_image
from server.shapes import me_json

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")


@blueprint.post("/register")
async def register():
    """Create an account (multipart, avatar optional) and log it in."""
    fields = await bodies.form_fields()
    form = accounts.parse_registration(fields, today=datetime.now(UTC).date())
    avatar_bytes = await bodies.optional_file("avatar")
    avatar = await prepare_image(avatar_bytes, field="avatar") if avatar_bytes else None
    password_hash = await trio.to_thread.run_sync(passwords.hash_password, form.password)
    user, token = await db().transaction(accounts.register, form, password_hash, avatar)
    return await _with_cookie({"user": me_json(user)}, 201, token)


@blueprint.post("/login")
async def login():
    """Log in by email and password; a new session token every time."""
    email, password = accounts.parse_login(await bodies.json_object())
    await load_session()
    replacing = g.session.id if g.session is not None else None
    user, token = await services().sessions.log_in(email, password, replacing=replacing)
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
