"""Chat messages, read markers and the conversations list."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.db import visibility

MESSAGE_COLUMNS = """
    m.id, m.sender_id, m.recipient_id, m.group_id, m.body, m.client_msg_id, m.created_at,
    s.first_name AS sender_first_name, s.last_name AS sender_last_name,
    s.nickname AS sender_nickname, s.avatar_id AS sender_avatar_id
"""

SELECT_MESSAGE = f"SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users s ON s.id = m.sender_id"


# A batch of messages (any senders, any conversations) stored in one statement, each only where
# the chat rule allows it (who may message whom, who is a member: the same predicates as every
# other read), each with its sender's card and its place in the batch (`ord`, from 1).
INSERT_BATCH = f"""
WITH input AS (
    SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, t.*
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])
         WITH ORDINALITY AS t(sender, recipient, grp, body, cmid, ord)
), inserted AS (
    INSERT INTO messages (id, sender_id, recipient_id, group_id, body, client_msg_id)
    SELECT i.id, i.sender, i.recipient, i.grp, i.body, i.cmid FROM input i
    WHERE CASE WHEN i.grp IS NULL
               THEN {visibility.can_message("i.sender", "i.recipient")}
               ELSE {visibility.is_member("i.grp", "i.sender")} END
    ON CONFLICT (sender_id, client_msg_id) DO NOTHING
    RETURNING *
)
SELECT i.ord, {MESSAGE_COLUMNS}
FROM inserted m JOIN input i ON i.id = m.id JOIN users s ON s.id = m.sender_id
"""


@dataclass(frozen=True, slots=True)
class NewMessage:
    sender_id: int
    recipient_id: int | None  # a direct message...
    group_id: int | None  # ...or one to a group's room
    body: str
    client_msg_id: str | None


async def insert_batch(
    conn: asyncpg.Connection, batch: list[NewMessage]
) -> dict[int, asyncpg.Record]:
    """Store what the rule allows; the stored messages by their index in `batch`. A message
    missing from the answer was refused, or repeats an earlier client_msg_id of its sender."""
    rows = await conn.fetch(
        INSERT_BATCH,
        [message.sender_id for message in batch],
        [message.recipient_id for message in batch],
        [message.group_id for message in batch],
        [message.body for message in batch],
        [message.client_msg_id for message in batch],
    )
    return {row["ord"] - 1: row for row in rows}


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
WHERE {visibility.user_visible("p.peer_id", "$1")}
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


MAY_MESSAGE = f"""
SELECT {visibility.can_message("$1", "u.id")} FROM users u
WHERE u.id = $2 AND {visibility.user_visible("u.id", "$1")}
"""


async def may_message(conn: asyncpg.Connection, sender_id: int, recipient_id: int) -> bool | None:
    """Whether the chat rule lets `sender_id` message `recipient_id`; None for no such user
    (or one who blocked the sender: they do not exist for them)."""
    return await conn.fetchval(MAY_MESSAGE, sender_id, recipient_id)
