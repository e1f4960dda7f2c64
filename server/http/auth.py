"""Accounts and sessions: register, login, logout, me (API.md, Auth)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import trio
from quart import Blueprint, g, make_response

from server.db import sessions, users
from server.db.users import User
from server.domain import accounts, passwords
from server.domain.accounts import Registration
from server.errors import EmailTaken, InvalidCredentials, NotFound, ValidationError
from server.http import bodies
from server.http.context import db, services, viewer_id
from server.http.guards import (
    COOKIE_MAX_AGE,
    clear_session_cookie,
    load_session,
    set_session_cookie,
)
from server.http.uploads import insert_image_row, prepare_image
from server.media import StoredImage
from server.realtime import bus
from server.shapes import me_json

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")


async def _register_user(
    conn: asyncpg.Connection, form: Registration, password_hash: str, avatar: StoredImage | None
) -> tuple[User, str] | None:
    user = await users.insert_user(
        conn,
        email=form.email,
        password_hash=password_hash,
        first_name=form.first_name,
        last_name=form.last_name,
        date_of_birth=form.date_of_birth,
        nickname=form.nickname,
        about_me=form.about_me,
        is_public=form.is_public,
    )
    if user is None:
        return None
    if avatar is not None:
        row = await insert_image_row(conn, user.id, avatar)
        user = await users.update_avatar(conn, user.id, row.id)
    token = await sessions.insert_session(conn, user.id)
    return user, token


@blueprint.post("/register")
async def register():
    """Create an account (multipart, avatar optional) and log it in."""
    fields = await bodies.form_fields()
    form = accounts.parse_registration(fields, today=datetime.now(UTC).date())
    avatar_bytes = await bodies.optional_file("avatar")
    avatar = await prepare_image(avatar_bytes, field="avatar") if avatar_bytes else None
    password_hash = await trio.to_thread.run_sync(passwords.hash_password, form.password)
    created = await db().transaction(_register_user, form, password_hash, avatar)
    if created is None:
        raise EmailTaken(fields={"email": "already registered"})
    user, token = created
    return await _with_cookie({"user": me_json(user)}, 201, token)


async def _find_credentials(conn: asyncpg.Connection, email: str, old_session_id: int | None):
    if old_session_id is not None:
        # A login replaces the browser's previous session rather than leaving it behind.
        await sessions.delete_session(conn, old_session_id)
        await bus.publish(conn, bus.close_session(old_session_id))
    return await users.select_credentials(conn, email)


async def _open_session(conn: asyncpg.Connection, user_id: int, new_hash: str | None):
    if new_hash is not None:
        await users.update_password_hash(conn, user_id, new_hash)
    token = await sessions.insert_session(conn, user_id)
    return await users.select_user(conn, user_id), token


@blueprint.post("/login")
async def login():
    """Log in by email and password; a new session token every time."""
    body = await bodies.json_object()
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise ValidationError(fields={"email": "required", "password": "required"})
    if len(password) > accounts.MAX_PASSWORD_LENGTH:
        raise InvalidCredentials()
    await load_session()
    if g.session_id is not None:
        services().sessions.forget(g.session_id)
    found = await db().transaction(_find_credentials, email.strip(), g.session_id)
    hashed = found.password_hash if found else None
    if not await trio.to_thread.run_sync(passwords.verify_password, hashed, password):
        raise InvalidCredentials()
    new_hash = None
    if passwords.needs_rehash(hashed):
        new_hash = await trio.to_thread.run_sync(passwords.hash_password, password)
    user, token = await db().transaction(_open_session, found.id, new_hash)
    return await _with_cookie({"user": me_json(user)}, 200, token)


async def _end_session(conn: asyncpg.Connection, session_id: int) -> None:
    await sessions.delete_session(conn, session_id)
    # Every process closes this session's sockets once the deletion is committed.
    await bus.publish(conn, bus.close_session(session_id))


@blueprint.post("/logout")
async def logout():
    """End this session: delete its row, clear the cookie, close its sockets."""
    viewer_id()
    services().sessions.forget(g.session_id)
    await db().transaction(_end_session, g.session_id)
    response = await make_response("", 204)
    clear_session_cookie(response)
    return response


@blueprint.get("/me")
async def me():
    """The logged-in user's own profile."""
    user = await db().run(users.select_user, viewer_id())
    if user is None:
        raise NotFound()
    return {"user": me_json(user)}


async def _with_cookie(payload: dict, status: int, token: str):
    response = await make_response(payload, status)
    set_session_cookie(response, token, max_age=COOKIE_MAX_AGE)
    return response
