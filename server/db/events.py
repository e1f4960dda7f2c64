"""Group events and the members' answers."""

from __future__ import annotations

from datetime import datetime

import asyncpg

EVENT_COLUMNS = """
    e.id, e.group_id, e.title, e.description, e.starts_at, e.created_at,
    c.id AS creator_id, c.first_name AS creator_first_name, c.last_name AS creator_last_name,
    c.nickname AS creator_nickname, c.avatar_id AS creator_avatar_id,
    (SELECT count(*) FROM event_responses r WHERE r.event_id = e.id AND r.response = 'going')
        AS going_count,
    (SELECT count(*) FROM event_responses r WHERE r.event_id = e.id AND r.response = 'not_going')
        AS not_going_count,
    (SELECT response FROM event_responses r WHERE r.event_id = e.id AND r.user_id = $2)
        AS my_response
"""

SELECT_EVENT = f"SELECT {EVENT_COLUMNS} FROM events e JOIN users c ON c.id = e.creator_id"


async def select_event(
    conn: asyncpg.Connection, event_id: int, viewer_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(f"{SELECT_EVENT} WHERE e.id = $1", event_id, viewer_id)


async def select_group_events(
    conn: asyncpg.Connection, group_id: int, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""
        {SELECT_EVENT}
        WHERE e.group_id = $1 AND ($3::bigint IS NULL OR e.id < $3)
        ORDER BY e.id DESC
        LIMIT $4
        """,
        group_id,
        viewer_id,
        before,
        limit,
    )


async def insert_event(
    conn: asyncpg.Connection,
    *,
    group_id: int,
    creator_id: int,
    title: str,
    description: str,
    starts_at: datetime,
) -> int:
    return await conn.fetchval(
        """
        INSERT INTO events (group_id, creator_id, title, description, starts_at)
        VALUES ($1, $2, $3, $4, $5) RETURNING id
        """,
        group_id,
        creator_id,
        title,
        description,
        starts_at,
    )


async def upsert_response(
    conn: asyncpg.Connection, event_id: int, user_id: int, response: str
) -> None:
    await conn.execute(
        """
        INSERT INTO event_responses (event_id, user_id, response) VALUES ($1, $2, $3)
        ON CONFLICT (event_id, user_id) DO UPDATE SET response = $3, updated_at = now()
        """,
        event_id,
        user_id,
        response,
    )


async def select_responses(conn: asyncpg.Connection, event_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT r.response, u.id, u.first_name, u.last_name, u.nickname, u.avatar_id
        FROM event_responses r JOIN users u ON u.id = r.user_id
        WHERE r.event_id = $1
        ORDER BY r.updated_at
        """,
        event_id,
    )
