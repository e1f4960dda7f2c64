"""Server-side sessions. The browser holds a random token; the table holds its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import asyncpg

SESSION_LIFETIME = timedelta(days=30)
# Sliding expiry without a write per request: a session is pushed forward at most this often.
REFRESH_AFTER = timedelta(hours=1)


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


INSERT_SESSION = """
INSERT INTO sessions (token_hash, user_id, expires_at)
VALUES ($1, $2, now() + $3::interval)
"""


async def insert_session(conn: asyncpg.Connection, user_id: int) -> str:
    token = new_token()
    await conn.execute(INSERT_SESSION, token_hash(token), user_id, SESSION_LIFETIME)
    return token


# One round trip: find a live session and, when it is older than REFRESH_AFTER, slide it.
TOUCH_SESSION = """
WITH live AS (
    SELECT id, user_id, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > now()
), slid AS (
    UPDATE sessions SET expires_at = now() + $2::interval
    FROM live
    WHERE sessions.id = live.id AND live.expires_at < now() + $2::interval - $3::interval
    RETURNING sessions.id
)
SELECT live.id, live.user_id, EXISTS (SELECT 1 FROM slid) AS refreshed FROM live
"""


async def touch_session(conn: asyncpg.Connection, token: str) -> tuple[int, int, bool] | None:
    """(session id, user id, refreshed) for a live token, else None."""
    record = await conn.fetchrow(TOUCH_SESSION, token_hash(token), SESSION_LIFETIME, REFRESH_AFTER)
    if record is None:
        return None
    return record["id"], record["user_id"], record["refreshed"]


DELETE_SESSION = "DELETE FROM sessions WHERE id = $1"


async def delete_session(conn: asyncpg.Connection, session_id: int) -> None:
    await conn.execute(DELETE_SESSION, session_id)


DELETE_SESSIONS_OF = "DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2"


async def delete_sessions_of(conn: asyncpg.Connection, user_id: int, keep: int | None) -> None:
    """Every session of the user but `keep` (None: every one)."""
    await conn.execute(DELETE_SESSIONS_OF, user_id, keep)


DELETE_EXPIRED = "DELETE FROM sessions WHERE expires_at <= now()"


async def delete_expired_sessions(conn: asyncpg.Connection) -> int:
    """How many rows were deleted."""
    status = await conn.execute(DELETE_EXPIRED)
    return int(status.split()[-1])
