"""The operator's rules (`socialnet admin`, server/admin.py): accounts made, re-keyed and
deleted, and sessions ended, from the command line, with the product's own checks and events.

Ending a session here ends it everywhere: the deletion commits with a SessionEnded event on the
bus, so every running server closes that session's sockets, as a logout does.
"""

from __future__ import annotations

import asyncpg

from server.db import admin as rows
from server.db import users
from server.db.database import emit
from server.db.users import User
from server.domain import account_data
from server.domain.accounts import Registration, create_account
from server.errors import NotFound
from server.events import SessionEnded


async def find_user(conn: asyncpg.Connection, who: str) -> int:
    """The id of the account named by its email (any letter case) or its id; NotFound."""
    user_id = int(who) if who.isdigit() else await rows.select_user_id(conn, who)
    if user_id is None or await users.select_user(conn, user_id) is None:
        raise NotFound(f"no account {who}")
    return user_id


async def create_user(conn: asyncpg.Connection, form: Registration, password_hash: str) -> User:
    """An account, as registration makes it (checked by `accounts.parse_registration`), with
    no session and no avatar. EmailTaken when the email is registered."""
    return await create_account(conn, form, password_hash)


async def end_sessions(
    conn: asyncpg.Connection, *, ids: list[int] = (), user_id: int | None = None
) -> list[int]:
    """End the sessions `ids` and every session of `user_id`: their rows, and (through the
    bus, once this commits) their sockets on every server. The ids ended."""
    ended = await rows.delete_sessions(conn, ids=list(ids), user_id=user_id)
    emit(conn, *(SessionEnded(session_id) for session_id in ended))
    return ended


async def set_password(conn: asyncpg.Connection, user_id: int, password_hash: str) -> int:
    """A new password; every session of the account ends, as after a password reset. How many
    sessions ended."""
    await users.update_password_hash(conn, user_id, password_hash)
    return len(await end_sessions(conn, user_id=user_id))


async def delete_user(conn: asyncpg.Connection, user_id: int) -> list[tuple[str, str]]:
    """Delete the account as the product's own deletion does (server/domain/account_data.py:
    groups handed over, sessions ended everywhere, everything authored gone); the image files
    to remove once this commits (account_data.remove_images)."""
    if await users.select_user(conn, user_id) is None:
        raise NotFound(f"no account {user_id}")
    return await account_data.delete_account_rows(conn, user_id)
