"""Blocks: plain functions, connection first. What a block hides is decided by the predicates
of server/db/visibility.py, in the queries that read."""

from __future__ import annotations

import asyncpg

from server.db import visibility


async def insert_block(conn: asyncpg.Connection, blocker_id: int, blocked_id: int) -> bool:
    """True when the block is new."""
    status = await conn.execute(
        "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        blocker_id,
        blocked_id,
    )
    return status.endswith(" 1")


async def delete_block(conn: asyncpg.Connection, blocker_id: int, blocked_id: int) -> bool:
    status = await conn.execute(
        "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2", blocker_id, blocked_id
    )
    return status.endswith(" 1")


async def between(conn: asyncpg.Connection, one: int, other: int) -> bool:
    """A block either way."""
    return await conn.fetchval(f"SELECT {visibility.blocks_between('$1', '$2')}", one, other)


# Most recent block first; the cursor is the blocked person's user id.
BLOCKED = """
SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id
FROM blocks b JOIN users u ON u.id = b.blocked_id
WHERE b.blocker_id = $1 AND (
    $2::bigint IS NULL OR (b.created_at, b.blocked_id) < (
        SELECT created_at, blocked_id FROM blocks WHERE blocker_id = $1 AND blocked_id = $2
    )
)
ORDER BY b.created_at DESC, b.blocked_id DESC
LIMIT $3
"""


async def select_blocked(
    conn: asyncpg.Connection, blocker_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(BLOCKED, blocker_id, before, limit)
