"""Server-side sessions. The browser holds a random token; the table holds its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import asyncpg

from server.db.rows import from_record, frozen

SESSION_LIFETIME = timedelta(days=30)
# Sliding expiry without a write per request: a session is pushed forward at most this often.
REFRESH_AFTER = timedelta(hours=1)
# "Last use" the same way: moved forward at most this often (the sessions page says "active
# within the last 5 minutes"), in the statement that reads the session anyway.
LAST_SEEN_EVERY = timedelta(minutes=5)
# The stored User-Agent is cut to this many characters.
MAX_USER_AGENT_LENGTH = 512


@frozen
class SessionRow:
    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str | None


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


INSERT_SESSION = """
INSERT INTO sessions (token_hash, user_id, expires_at, user_agent)
VALUES ($1, $2, now() + $3::interval, $4)
"""


async def insert_session(conn: asyncpg.Connection, user_id: int, user_agent: str | None) -> str:
    token = new_token()
    if user_agent is not None:
        user_agent = user_agent[:MAX_USER_AGENT_LENGTH]
    await conn.execute(INSERT_SESSION, token_hash(token), user_id, SESSION_LIFETIME, user_agent)
    return token


# One round trip: find a live session; when its expiry is older than REFRESH_AFTER slide it,
# and when its last use is older than LAST_SEEN_EVERY move that; a write at most that often.
TOUCH_SESSION = """
WITH live AS (
    SELECT id, user_id,
           expires_at < now() + $2::interval - $3::interval AS slide,
           last_seen_at < now() - $4::interval AS seen
    FROM sessions WHERE token_hash = $1 AND expires_at > now()
), touched AS (
    UPDATE sessions SET
        expires_at = CASE WHEN live.slide THEN now() + $2::interval ELSE sessions.expires_at END,
        last_seen_at = CASE WHEN live.seen THEN now() ELSE sessions.last_seen_at END
    FROM live
    WHERE sessions.id = live.id AND (live.slide OR live.seen)
    RETURNING sessions.id
)
SELECT live.id, live.user_id, live.slide AS refreshed FROM live
"""


async def touch_session(conn: asyncpg.Connection, token: str) -> tuple[int, int, bool] | None:
    """(session id, user id, refreshed) for a live token, else None."""
    record = await conn.fetchrow(
        TOUCH_SESSION, token_hash(token), SESSION_LIFETIME, REFRESH_AFTER, LAST_SEEN_EVERY
    )
    if record is None:
        return None
    return record["id"], record["user_id"], record["refreshed"]


SELECT_SESSIONS_OF = """
SELECT id, created_at, last_seen_at, user_agent FROM sessions
WHERE user_id = $1 AND expires_at > now()
ORDER BY last_seen_at DESC, id DESC
"""


async def select_sessions_of(conn: asyncpg.Connection, user_id: int) -> list[SessionRow]:
    """The user's live sessions, the most recently used first."""
    return [from_record(SessionRow, r) for r in await conn.fetch(SELECT_SESSIONS_OF, user_id)]


DELETE_SESSION_OF = "DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING id"


async def delete_session_of(conn: asyncpg.Connection, session_id: int, user_id: int) -> bool:
    """Delete the session when it is the user's; whether it was."""
    return await conn.fetchval(DELETE_SESSION_OF, session_id, user_id) is not None


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
