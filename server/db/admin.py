"""What the operator's commands (`socialnet admin`, server/admin.py) read and delete: accounts
and sessions across users, which no route of the product does."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from server.db.rows import from_record, frozen


@frozen
class AccountRow:
    id: int
    email: str
    first_name: str
    last_name: str
    created_at: datetime
    sessions: int


@frozen
class SessionListing:
    id: int
    user_id: int
    email: str
    created_at: datetime
    expires_at: datetime


SELECT_ACCOUNTS = """
SELECT u.id, u.email, u.first_name, u.last_name, u.created_at,
       (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now())
           AS sessions
FROM users u
WHERE $1::text IS NULL
   OR u.email ILIKE '%' || $1 || '%'
   OR (u.first_name || ' ' || u.last_name) ILIKE '%' || $1 || '%'
ORDER BY u.id
LIMIT $2
"""


async def select_accounts(
    conn: asyncpg.Connection, *, search: str | None, limit: int
) -> list[AccountRow]:
    """Accounts in the order they were made; `search` in the email or the name."""
    records = await conn.fetch(SELECT_ACCOUNTS, search, limit)
    return [from_record(AccountRow, record) for record in records]


SELECT_USER_ID = "SELECT id FROM users WHERE lower(email) = lower($1)"


async def select_user_id(conn: asyncpg.Connection, email: str) -> int | None:
    """The id of the account with this email (any letter case), or None."""
    return await conn.fetchval(SELECT_USER_ID, email)


SELECT_SESSIONS = """
SELECT s.id, s.user_id, u.email, s.created_at, s.expires_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.expires_at > now() AND ($1::bigint IS NULL OR s.user_id = $1)
ORDER BY s.created_at DESC, s.id DESC
LIMIT $2
"""


async def select_sessions(
    conn: asyncpg.Connection, *, user_id: int | None, limit: int
) -> list[SessionListing]:
    """Live sessions, the newest first: one user's, or everyone's."""
    records = await conn.fetch(SELECT_SESSIONS, user_id, limit)
    return [from_record(SessionListing, record) for record in records]


DELETE_SESSIONS = """
DELETE FROM sessions
WHERE id = ANY($1::bigint[]) OR user_id = $2
RETURNING id
"""


async def delete_sessions(
    conn: asyncpg.Connection, *, ids: list[int], user_id: int | None
) -> list[int]:
    """Delete the sessions `ids`, and every session of `user_id`; the ids deleted."""
    return [record["id"] for record in await conn.fetch(DELETE_SESSIONS, ids, user_id)]
