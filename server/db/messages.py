"""Chat messages, read markers and the conversations list."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.db import notify, visibility

MESSAGE_COLUMNS = """
    m.id, m.sender_id, m.recipient_id, m.group_id, m.body, m.client_msg_id, m.created_at,
    s.first_name AS sender_first_name, s.last_name AS sender_last_name,
    s.nickname AS sender_nickname, s.avatar_id AS sender_avatar_id
"""

SELECT_MESSAGE = f"SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users s ON s.id = m.sender_id"


# A batch of messages (any senders, any conversations) stored in one statement, each only where
# the chat rule allows it (who may message whom, who is a member: the same predicates as every
# other read), each with its sender's card and its place in the batch (`ord`, from 1).
_STORE_BATCH = f"""
input AS (
    SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, t.*
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS t(sender, recipient, grp, body, cmid, skip, ord)
), inserted AS (
    INSERT INTO messages (id, sender_id, recipient_id, group_id, body, client_msg_id)
    SELECT i.id, i.sender, i.recipient, i.grp, i.body, i.cmid FROM input i
    WHERE CASE WHEN i.grp IS NULL
               THEN {visibility.can_message("i.sender", "i.recipient")}
               ELSE {visibility.is_member("i.grp", "i.sender")} END
    ON CONFLICT (sender_id, client_msg_id) DO NOTHING
    RETURNING *
), stored AS (
    SELECT i.ord, i.skip, {MESSAGE_COLUMNS}
    FROM inserted m JOIN input i ON i.id = m.id JOIN users s ON s.id = m.sender_id
)"""

INSERT_BATCH = f"WITH {_STORE_BATCH} SELECT * FROM stored"

# The time as API.md writes it (server/shapes.iso), written by Postgres.
_ISO = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""

# The same, and every stored message's MessageStored event (server/events.py) published by
# the statement itself: one round trip stores and publishes a whole batch, atomically (the
# statement is its own transaction: its NOTIFYs are delivered when it commits).
INSERT_BATCH_AND_PUBLISH = f"""
WITH {_STORE_BATCH}, message_events AS (
    SELECT ord, 'm' || id AS key, json_build_object(
        'op', 'message', 'id', id, 'sender_id', sender_id, 'recipient_id', recipient_id,
        'group_id', group_id, 'body', body, 'client_msg_id', client_msg_id,
        'created_at', {_ISO}, 'sender_first_name', sender_first_name,
        'sender_last_name', sender_last_name, 'sender_nickname', sender_nickname,
        'sender_avatar_id', sender_avatar_id, 'skip', skip
    )::text AS text
    FROM stored
), {notify.publish_in_sql("message_events", "$7")}
SELECT stored.*, (SELECT count(*) FROM published) AS payloads FROM stored
"""


@dataclass(frozen=True, slots=True)
class NewMessage:
    sender_id: int
    recipient_id: int | None  # a direct message...
    group_id: int | None  # ...or one to a group's room
    body: str
    client_msg_id: str | None
    # The sending socket: its copy is an ack, not a chat.message.
    skip: str | None = None


def _columns(batch: list[NewMessage]) -> list[list]:
    return [
        [message.sender_id for message in batch],
        [message.recipient_id for message in batch],
        [message.group_id for message in batch],
        [message.body for message in batch],
        [message.client_msg_id for message in batch],
        [message.skip for message in batch],
    ]


async def insert_batch(
    conn: asyncpg.Connection, batch: list[NewMessage]
) -> dict[int, asyncpg.Record]:
    """Store what the rule allows; the stored messages by their index in `batch`. A message
    missing from the answer was refused, or repeats an earlier client_msg_id of its sender."""
    rows = await conn.fetch(INSERT_BATCH, *_columns(batch))
    return {row["ord"] - 1: row for row in rows}


async def insert_batch_and_publish(
    conn: asyncpg.Connection, batch: list[NewMessage]
) -> dict[int, asyncpg.Record]:
    """`insert_batch`, and each stored message's event on the Postgres bus, in one statement
    (outside any transaction of the caller's)."""
    rows = await conn.fetch(INSERT_BATCH_AND_PUBLISH, *_columns(batch), notify.CHANNEL)
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


# A read marker moved, and its ReadMarkerMoved event (server/events.py) published by the same
# statement when $6 names the NOTIFY channel: one round trip for the hot write of chat reads.
# `moved` is false for no such person or group, or for someone who is not a member.
def _move_read_marker(moving: str) -> str:
    event = """json_build_object(
        'op', 'read', 'user_id', $1::bigint, 'kind', $5::text, 'conversation_id', $2::bigint,
        'up_to', $3::bigint, 'skip', $4::text)::text"""
    return f"""
WITH moved AS ({moving}
), published AS (
    SELECT pg_notify($6, {event}) FROM moved WHERE $6::text IS NOT NULL
)
SELECT EXISTS (SELECT 1 FROM moved) AS moved, (SELECT count(*) FROM published) > 0 AS published
"""


# The peer must exist for the reader: not when they blocked the reader (a 404).
MOVE_DIRECT_READ = _move_read_marker(f"""
    INSERT INTO direct_read_markers (user_id, peer_id, last_read_message_id)
    SELECT $1, $2, $3 WHERE EXISTS (
        SELECT 1 FROM users u WHERE u.id = $2 AND {visibility.user_visible("u.id", "$1")}
    )
    ON CONFLICT (user_id, peer_id) DO UPDATE
    SET last_read_message_id = GREATEST(direct_read_markers.last_read_message_id, $3)
    RETURNING 1""")

MOVE_GROUP_READ = _move_read_marker("""
    UPDATE group_members
    SET last_read_message_id = GREATEST(COALESCE(last_read_message_id, 0), $3)
    WHERE user_id = $1 AND group_id = $2
    RETURNING 1""")


async def move_read_marker(
    conn: asyncpg.Connection,
    kind: str,
    user_id: int,
    conversation_id: int,
    up_to: int,
    skip: str | None,
) -> tuple[bool, bool]:
    """(moved, published): moved is False when the conversation is not the user's to read;
    published is True when the statement itself sent the event (the Postgres bus)."""
    sql = MOVE_GROUP_READ if kind == "group" else MOVE_DIRECT_READ
    channel = getattr(conn, "notify_channel", None)
    row = await conn.fetchrow(sql, user_id, conversation_id, up_to, skip, kind, channel)
    return row["moved"], row["published"]


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
