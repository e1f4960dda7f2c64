"""Chat messages, read markers and the conversations list."""

from __future__ import annotations

import asyncpg

from server.domain import visibility

MESSAGE_COLUMNS = """
    m.id, m.sender_id, m.recipient_id, m.group_id, m.body, m.client_msg_id, m.created_at,
    s.first_name AS sender_first_name, s.last_name AS sender_last_name,
    s.nickname AS sender_nickname, s.avatar_id AS sender_avatar_id
"""

SELECT_MESSAGE = f"SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users s ON s.id = m.sender_id"


# A message is stored only when the rule allows it, and comes back with its sender's card, in
# one statement: the hot path of chat is this, one NOTIFY, and the transaction around them.
def _insert_where(rule: str) -> str:
    return f"""
WITH inserted AS (
    INSERT INTO messages (sender_id, recipient_id, group_id, body, client_msg_id)
    SELECT $1, $2, $3, $4, $5 WHERE {rule}
    ON CONFLICT (sender_id, client_msg_id) DO NOTHING
    RETURNING *
)
SELECT {MESSAGE_COLUMNS} FROM inserted m JOIN users s ON s.id = m.sender_id
"""


INSERT_DIRECT = _insert_where(visibility.can_message("$1::bigint", "$2::bigint"))
INSERT_GROUP = _insert_where(visibility.is_member("$3::bigint", "$1::bigint"))


async def insert_direct(
    conn: asyncpg.Connection, sender_id: int, recipient_id: int, body: str, client_msg_id
) -> asyncpg.Record | None:
    """The stored message, or None when nothing was stored (not allowed, or a repeat)."""
    return await conn.fetchrow(INSERT_DIRECT, sender_id, recipient_id, None, body, client_msg_id)


async def insert_group(
    conn: asyncpg.Connection, sender_id: int, group_id: int, body: str, client_msg_id
) -> asyncpg.Record | None:
    return await conn.fetchrow(INSERT_GROUP, sender_id, None, group_id, body, client_msg_id)


async def select_by_client_msg_id(
    conn: asyncpg.Connection, sender_id: int, client_msg_id: str | None
) -> asyncpg.Record | None:
    if client_msg_id is None:
        return None
    return await conn.fetchrow(
        f"{SELECT_MESSAGE} WHERE m.sender_id = $1 AND m.client_msg_id = $2",
        sender_id,
        client_msg_id,
    )


DIRECT_HISTORY = f"""
{SELECT_MESSAGE}
WHERE ((m.sender_id = $1 AND m.recipient_id = $2) OR (m.sender_id = $2 AND m.recipient_id = $1))
  AND ($3::bigint IS NULL OR m.id < $3)
ORDER BY m.id DESC
LIMIT $4
"""


async def select_direct_history(
    conn: asyncpg.Connection, user_id: int, peer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(DIRECT_HISTORY, user_id, peer_id, before, limit)


GROUP_HISTORY = f"""
{SELECT_MESSAGE}
WHERE m.group_id = $1 AND ($2::bigint IS NULL OR m.id < $2)
ORDER BY m.id DESC
LIMIT $3
"""


async def select_group_history(
    conn: asyncpg.Connection, group_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(GROUP_HISTORY, group_id, before, limit)


async def mark_direct_read(conn: asyncpg.Connection, user_id: int, peer_id: int, up_to: int):
    await conn.execute(
        """
        INSERT INTO direct_read_markers (user_id, peer_id, last_read_message_id)
        VALUES ($1, $2, $3)
        ON CONFLICT (user_id, peer_id) DO UPDATE
        SET last_read_message_id = GREATEST(direct_read_markers.last_read_message_id, $3)
        """,
        user_id,
        peer_id,
        up_to,
    )


async def mark_group_read(conn: asyncpg.Connection, user_id: int, group_id: int, up_to: int):
    await conn.execute(
        """
        UPDATE group_members
        SET last_read_message_id = GREATEST(COALESCE(last_read_message_id, 0), $3)
        WHERE user_id = $1 AND group_id = $2
        """,
        user_id,
        group_id,
        up_to,
    )


# Every direct conversation of $1: the other person, the last message, unread count.
DIRECT_CONVERSATIONS = f"""
WITH peers AS (
    SELECT CASE WHEN sender_id = $1 THEN recipient_id ELSE sender_id END AS peer_id,
           max(id) AS last_id
    FROM messages
    WHERE (sender_id = $1 AND recipient_id IS NOT NULL) OR recipient_id = $1
    GROUP BY 1
)
SELECT {MESSAGE_COLUMNS},
       p.peer_id, u.first_name AS peer_first_name, u.last_name AS peer_last_name,
       u.nickname AS peer_nickname, u.avatar_id AS peer_avatar_id,
       (SELECT count(*) FROM messages x
        WHERE x.sender_id = p.peer_id AND x.recipient_id = $1
          AND x.id > COALESCE(r.last_read_message_id, 0)) AS unread_count
FROM peers p
JOIN messages m ON m.id = p.last_id
JOIN users s ON s.id = m.sender_id
JOIN users u ON u.id = p.peer_id
LEFT JOIN direct_read_markers r ON r.user_id = $1 AND r.peer_id = p.peer_id
"""

# Every group of $1 (a room exists from the group's first day), with its last message.
GROUP_CONVERSATIONS = f"""
SELECT g.id AS room_id, g.title AS room_title, last.*,
       (SELECT count(*) FROM messages x
        WHERE x.group_id = g.id AND x.sender_id <> $1
          AND x.id > COALESCE(gm.last_read_message_id, 0)) AS unread_count
FROM group_members gm
JOIN groups g ON g.id = gm.group_id
LEFT JOIN LATERAL (
    SELECT {MESSAGE_COLUMNS}
    FROM messages m JOIN users s ON s.id = m.sender_id
    WHERE m.group_id = g.id
    ORDER BY m.id DESC
    LIMIT 1
) AS last ON true
WHERE gm.user_id = $1
"""


async def select_conversations(
    conn: asyncpg.Connection, user_id: int
) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    return (
        await conn.fetch(DIRECT_CONVERSATIONS, user_id),
        await conn.fetch(GROUP_CONVERSATIONS, user_id),
    )
