"""Users: plain functions, connection first."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from server.db import visibility
from server.db.rows import from_record, frozen


@frozen
class User:
    id: int
    email: str
    first_name: str
    last_name: str
    # None until an account made through an external provider gives it.
    date_of_birth: date | None
    nickname: str | None
    about_me: str | None
    avatar_id: int | None
    is_public: bool
    created_at: datetime


@frozen
class Credentials:
    id: int
    # None for an account made through an external provider that has set no password.
    password_hash: str | None


USER_COLUMNS = """
    id, email, first_name, last_name, date_of_birth, nickname, about_me, avatar_id, is_public,
    created_at
"""

INSERT_USER = f"""
INSERT INTO users (email, password_hash, first_name, last_name, date_of_birth, nickname,
                   about_me, is_public)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT DO NOTHING
RETURNING {USER_COLUMNS}
"""


async def insert_user(
    conn: asyncpg.Connection,
    *,
    email: str,
    password_hash: str | None,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    nickname: str | None,
    about_me: str | None,
    is_public: bool,
) -> User | None:
    """The new user, or None when the email is already registered (any letter case)."""
    record = await conn.fetchrow(
        INSERT_USER,
        email,
        password_hash,
        first_name,
        last_name,
        date_of_birth,
        nickname,
        about_me,
        is_public,
    )
    return from_record(User, record)


SELECT_USER = f"SELECT {USER_COLUMNS} FROM users WHERE id = $1"


async def is_public(conn: asyncpg.Connection, user_id: int) -> bool | None:
    """Whether the profile is public; None for no such user."""
    return await conn.fetchval("SELECT is_public FROM users WHERE id = $1", user_id)


EXISTS_FOR = f"""
SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND {visibility.user_visible("u.id", "$2")})
"""


async def exists_for(conn: asyncpg.Connection, user_id: int, viewer_id: int) -> bool:
    """Whether the user exists for the viewer (not for someone they blocked)."""
    return await conn.fetchval(EXISTS_FOR, user_id, viewer_id)


IS_PUBLIC_FOR = f"""
SELECT u.is_public FROM users u WHERE u.id = $1 AND {visibility.user_visible("u.id", "$2")}
"""


async def is_public_for(conn: asyncpg.Connection, user_id: int, viewer_id: int) -> bool | None:
    """Whether the profile is public; None when the user does not exist for the viewer."""
    return await conn.fetchval(IS_PUBLIC_FOR, user_id, viewer_id)


async def select_user(conn: asyncpg.Connection, user_id: int) -> User | None:
    return from_record(User, await conn.fetchrow(SELECT_USER, user_id))


SELECT_CREDENTIALS = "SELECT id, password_hash FROM users WHERE lower(email) = lower($1)"


async def select_credentials(conn: asyncpg.Connection, email: str) -> Credentials | None:
    return from_record(Credentials, await conn.fetchrow(SELECT_CREDENTIALS, email))


SELECT_PASSWORD_HASH = "SELECT password_hash FROM users WHERE id = $1"


async def select_password_hash(conn: asyncpg.Connection, user_id: int) -> str | None:
    """The user's password hash; None for no such user (or, later, an account without one)."""
    return await conn.fetchval(SELECT_PASSWORD_HASH, user_id)


UPDATE_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE id = $1"


async def update_password_hash(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute(UPDATE_PASSWORD_HASH, user_id, password_hash)


UPDATE_AVATAR = f"UPDATE users SET avatar_id = $2 WHERE id = $1 RETURNING {USER_COLUMNS}"


async def update_avatar(conn: asyncpg.Connection, user_id: int, media_id: int | None) -> User:
    return from_record(User, await conn.fetchrow(UPDATE_AVATAR, user_id, media_id))


# What an opening WebSocket needs of its user, in one statement: the card its frames carry, the
# groups the router fans out to, and the contacts (whom they follow or are followed by) who
# hear of their presence.
SOCKET_CONTEXT = """
SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id,
       ARRAY(SELECT group_id FROM group_members WHERE user_id = u.id) AS group_ids,
       ARRAY(
           SELECT followee_id FROM follows WHERE follower_id = u.id
           UNION
           SELECT follower_id FROM follows WHERE followee_id = u.id
       ) AS contacts
FROM users u WHERE u.id = $1
"""


async def select_socket_context(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(SOCKET_CONTEXT, user_id)


# What deciding what a user may see takes, beyond their groups: whom they follow and the blocks
# either way (the realtime router holds it for the users who watch feeds or posts).
VIEWER = """
SELECT ARRAY(SELECT followee_id FROM follows WHERE follower_id = $1) AS following,
       ARRAY(SELECT blocked_id FROM blocks WHERE blocker_id = $1) AS blocking,
       ARRAY(SELECT blocker_id FROM blocks WHERE blocked_id = $1) AS blocked_by
"""


async def select_viewer(conn: asyncpg.Connection, user_id: int) -> visibility.Viewer:
    row = await conn.fetchrow(VIEWER, user_id)
    return visibility.Viewer(
        user_id,
        following=set(row["following"]),
        blocking=set(row["blocking"]),
        blocked_by=set(row["blocked_by"]),
    )


COMPLETE_PROFILE = f"""
UPDATE users SET date_of_birth = $2, first_name = $3, last_name = $4
WHERE id = $1 AND date_of_birth IS NULL
RETURNING {USER_COLUMNS}
"""


async def complete_profile(
    conn: asyncpg.Connection, user_id: int, date_of_birth: date, first_name: str, last_name: str
) -> User | None:
    """Give a date of birth (and names) to an account without one; None when it had one."""
    record = await conn.fetchrow(COMPLETE_PROFILE, user_id, date_of_birth, first_name, last_name)
    return from_record(User, record)
