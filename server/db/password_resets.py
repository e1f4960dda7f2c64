"""Password-reset tokens: the mail holds the token, the table its SHA-256."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from server.db.sessions import new_token, token_hash

RESET_LIFETIME = timedelta(hours=1)

INSERT_RESET = """
INSERT INTO password_resets (user_id, token_hash, expires_at)
VALUES ($1, $2, now() + $3::interval)
"""


async def insert_reset(conn: asyncpg.Connection, user_id: int) -> str:
    """A new token for the user, valid for RESET_LIFETIME; the token itself (only its hash
    is stored)."""
    token = new_token()
    await conn.execute(INSERT_RESET, user_id, token_hash(token), RESET_LIFETIME)
    return token


# Locked: two uses of one token at once cannot both pass.
SELECT_USABLE = """
SELECT id, user_id FROM password_resets
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
FOR UPDATE
"""


async def select_usable(conn: asyncpg.Connection, token: str) -> tuple[int, int] | None:
    """(reset id, user id) of an unused, unexpired token, locked; else None."""
    record = await conn.fetchrow(SELECT_USABLE, token_hash(token))
    return None if record is None else (record["id"], record["user_id"])


# Every token of the user is spent at once: the one used, and any older mail's.
USE_ALL_OF = "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL"


async def use_all_of(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(USE_ALL_OF, user_id)


DELETE_OLD = "DELETE FROM password_resets WHERE expires_at <= now() - interval '1 day'"


async def delete_old(conn: asyncpg.Connection) -> int:
    status = await conn.execute(DELETE_OLD)
    return int(status.split()[-1])
