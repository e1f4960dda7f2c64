"""Passwords after registration (SPEC.md, Accounts and sessions): changing one's password,
which ends every other session of the user. Ending sessions is server/domain/sessions.py's.

Argon2id costs tens of milliseconds of CPU: verifying and hashing run in a worker thread, and
no transaction is held open meanwhile.
"""

from __future__ import annotations

import asyncpg
import trio

from server.db import users
from server.domain import passwords
from server.domain.inputs import Check, Fields
from server.domain.sessions import Session, Sessions, end_sessions_of
from server.errors import ValidationError

WRONG_PASSWORD = "wrong password"


def _typed(field: str):
    return lambda value: passwords.check_typed_password(value, field=field)


# POST /api/auth/password: {current_password, new_password}, every problem at once.
PASSWORD_CHANGE = Fields(
    current_password=Check(_typed("current_password"), {"type": "string", "minLength": 1}),
    new_password=Check(
        lambda value: passwords.check_new_password(value, field="new_password"),
        {
            "type": "string",
            "minLength": passwords.MIN_PASSWORD_LENGTH,
            "maxLength": passwords.MAX_PASSWORD_LENGTH,
        },
    ),
)


async def verify_own_password(sessions: Sessions, user_id: int, password: str, *, field: str):
    """ValidationError on `field` unless `password` is the user's (in a worker thread)."""
    hashed = await sessions.db.run(users.select_password_hash, user_id)
    if not await trio.to_thread.run_sync(passwords.verify_password, hashed, password):
        raise ValidationError(fields={field: WRONG_PASSWORD})


async def _set_password(
    conn: asyncpg.Connection, user_id: int, password_hash: str, keep: int | None
) -> None:
    await users.update_password_hash(conn, user_id, password_hash)
    await end_sessions_of(conn, user_id, keep=keep)


async def change_password(sessions: Sessions, session: Session, current: str, new: str) -> None:
    """Set a new password when the current one is right; every other session of the user
    ends (their sockets close), this one stays."""
    await verify_own_password(sessions, session.user_id, current, field="current_password")
    new_hash = await trio.to_thread.run_sync(passwords.hash_password, new)
    await sessions.db.transaction(_set_password, session.user_id, new_hash, session.id)
    sessions.forget_user(session.user_id, keep=session.id)
