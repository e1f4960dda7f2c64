"""Follows and follow requests: plain functions, connection first."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from server.db import visibility
from server.db.rows import from_record, frozen


@frozen
class FollowRequest:
    id: int
    requester_id: int
    target_id: int
    status: str
    created_at: datetime


REQUEST_COLUMNS = "id, requester_id, target_id, status, created_at"


async def is_following(conn: asyncpg.Connection, follower_id: int, followee_id: int) -> bool:
    return await conn.fetchval(f"SELECT {visibility.follows('$1', '$2')}", follower_id, followee_id)


async def followers_among(
    conn: asyncpg.Connection, followee_id: int, user_ids: list[int]
) -> set[int]:
    """Which of `user_ids` follow `followee_id` (accepted follows)."""
    rows = await conn.fetch(
        "SELECT follower_id FROM follows WHERE followee_id = $1 AND follower_id = ANY($2)",
        followee_id,
        user_ids,
    )
    return {row["follower_id"] for row in rows}


async def insert_follow(conn: asyncpg.Connection, follower_id: int, followee_id: int) -> bool:
    """True when the follow is new."""
    status = await conn.execute(
        "INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        follower_id,
        followee_id,
    )
    return status.endswith(" 1")


async def delete_follow(conn: asyncpg.Connection, follower_id: int, followee_id: int) -> bool:
    status = await conn.execute(
        "DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2", follower_id, followee_id
    )
    return status.endswith(" 1")


async def select_pending_request(
    conn: asyncpg.Connection, requester_id: int, target_id: int
) -> FollowRequest | None:
    record = await conn.fetchrow(
        f"SELECT {REQUEST_COLUMNS} FROM follow_requests"
        " WHERE requester_id = $1 AND target_id = $2 AND status = 'pending'",
        requester_id,
        target_id,
    )
    return from_record(FollowRequest, record)


async def insert_request(
    conn: asyncpg.Connection, requester_id: int, target_id: int
) -> FollowRequest | None:
    """The new pending request, or None when one is already pending (a concurrent duplicate)."""
    record = await conn.fetchrow(
        f"""
        INSERT INTO follow_requests (requester_id, target_id) VALUES ($1, $2)
        ON CONFLICT DO NOTHING RETURNING {REQUEST_COLUMNS}
        """,
        requester_id,
        target_id,
    )
    return from_record(FollowRequest, record)


async def select_request_for_update(
    conn: asyncpg.Connection, request_id: int
) -> FollowRequest | None:
    record = await conn.fetchrow(
        f"SELECT {REQUEST_COLUMNS} FROM follow_requests WHERE id = $1 FOR UPDATE", request_id
    )
    return from_record(FollowRequest, record)


async def set_request_status(conn: asyncpg.Connection, request_id: int, status: str) -> None:
    await conn.execute(
        "UPDATE follow_requests SET status = $2, answered_at = now() WHERE id = $1",
        request_id,
        status,
    )


async def cancel_pending_between(conn: asyncpg.Connection, one: int, other: int) -> list[int]:
    """Cancel the pending follow requests between two people, either way; their ids."""
    rows = await conn.fetch(
        """
        UPDATE follow_requests SET status = 'cancelled', answered_at = now()
        WHERE status = 'pending' AND ((requester_id = $1 AND target_id = $2)
                                      OR (requester_id = $2 AND target_id = $1))
        RETURNING id
        """,
        one,
        other,
    )
    return [row["id"] for row in rows]


INCOMING_REQUESTS = """
SELECT r.id, r.created_at, u.id AS user_id, u.first_name AS user_first_name,
       u.last_name AS user_last_name, u.nickname AS user_nickname, u.avatar_id AS user_avatar_id
FROM follow_requests r JOIN users u ON u.id = r.requester_id
WHERE r.target_id = $1 AND r.status = 'pending' AND ($2::bigint IS NULL OR r.id < $2)
ORDER BY r.id DESC
LIMIT $3
"""


async def select_incoming_requests(
    conn: asyncpg.Connection, user_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(INCOMING_REQUESTS, user_id, before, limit)


# Followers and following, most recent follow first, without the people in a block with the
# viewer ($4). The cursor is the other person's user id; the page continues after that person's
# follow.
FOLLOWERS = f"""
SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id
FROM follows f JOIN users u ON u.id = f.follower_id
WHERE f.followee_id = $1 AND NOT {visibility.blocks_between("u.id", "$4")} AND (
    $2::bigint IS NULL OR (f.created_at, f.follower_id) < (
        SELECT created_at, follower_id FROM follows WHERE followee_id = $1 AND follower_id = $2
    )
)
ORDER BY f.created_at DESC, f.follower_id DESC
LIMIT $3
"""

FOLLOWING = f"""
SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id
FROM follows f JOIN users u ON u.id = f.followee_id
WHERE f.follower_id = $1 AND NOT {visibility.blocks_between("u.id", "$4")} AND (
    $2::bigint IS NULL OR (f.created_at, f.followee_id) < (
        SELECT created_at, followee_id FROM follows WHERE follower_id = $1 AND followee_id = $2
    )
)
ORDER BY f.created_at DESC, f.followee_id DESC
LIMIT $3
"""


async def select_followers(
    conn: asyncpg.Connection, user_id: int, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(FOLLOWERS, user_id, before, limit, viewer_id)


async def select_following(
    conn: asyncpg.Connection, user_id: int, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(FOLLOWING, user_id, before, limit, viewer_id)
