"""Notifications: rows, the joins that give their subject and state, unread counts."""

from __future__ import annotations

from dataclasses import dataclass, fields

import asyncpg

from server.db import visibility

# Everything a `<notification>` needs, in one row: the actor's card, the titles of its subject
# and the current status of the request it is about (so `state` follows the request).
SELECT_NOTIFICATIONS = """
SELECT n.id, n.user_id, n.kind, n.read_at IS NOT NULL AS read, n.created_at,
       a.id AS actor_id, a.first_name AS actor_first_name, a.last_name AS actor_last_name,
       a.nickname AS actor_nickname, a.avatar_id AS actor_avatar_id,
       n.follow_request_id, fr.status AS follow_request_status,
       n.group_id, g.title AS group_title,
       n.group_invitation_id, gi.status AS group_invitation_status,
       n.group_join_request_id, gjr.status AS group_join_request_status,
       n.event_id, e.title AS event_title, e.starts_at AS event_starts_at,
       n.post_id, n.comment_id, n.reaction
FROM notifications n
JOIN users a ON a.id = n.actor_id
LEFT JOIN follow_requests fr ON fr.id = n.follow_request_id
LEFT JOIN groups g ON g.id = n.group_id
LEFT JOIN group_invitations gi ON gi.id = n.group_invitation_id
LEFT JOIN group_join_requests gjr ON gjr.id = n.group_join_request_id
LEFT JOIN events e ON e.id = n.event_id
"""


@dataclass(frozen=True, slots=True)
class Draft:
    """A notification to create: who gets it, what kind, who caused it, what it is about."""

    user_id: int
    kind: str
    actor_id: int
    follow_request_id: int | None = None
    group_id: int | None = None
    group_invitation_id: int | None = None
    group_join_request_id: int | None = None
    event_id: int | None = None
    post_id: int | None = None
    comment_id: int | None = None
    reaction: str | None = None


_DRAFT_COLUMNS = [f.name for f in fields(Draft)]
_DRAFT_TYPES = ["text" if name in ("kind", "reaction") else "bigint" for name in _DRAFT_COLUMNS]

# Any number of notifications in one statement; none between people in a block (SPEC.md,
# Blocks: A no longer sees B's notifications, and A does not exist for B), and none about a
# post its recipient may not see (an author who left the group of their post, a commenter who
# lost sight of the post): like a live frame, a notification never tells of what is hidden.
INSERT_MANY = f"""
INSERT INTO notifications ({", ".join(_DRAFT_COLUMNS)})
SELECT * FROM unnest({", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(_DRAFT_TYPES))})
    AS t({", ".join(_DRAFT_COLUMNS)})
WHERE NOT {visibility.blocks_between("t.user_id", "t.actor_id")}
  AND (t.post_id IS NULL OR EXISTS (
      SELECT 1 FROM posts np
      WHERE np.id = t.post_id AND {visibility.post_visible("np", "t.user_id")}
  ))
RETURNING id
"""


async def insert_notifications(conn: asyncpg.Connection, drafts: list[Draft]) -> list[int]:
    columns = [[getattr(draft, name) for draft in drafts] for name in _DRAFT_COLUMNS]
    return [row["id"] for row in await conn.fetch(INSERT_MANY, *columns)]


async def select_by_ids(conn: asyncpg.Connection, ids: list[int]) -> list[asyncpg.Record]:
    return await conn.fetch(
        SELECT_NOTIFICATIONS + " WHERE n.id = ANY($1::bigint[]) ORDER BY n.id", ids
    )


REACTION_NOTIFIED = """
SELECT EXISTS (
    SELECT 1 FROM notifications
    WHERE user_id = $1 AND kind = 'reaction' AND actor_id = $2 AND post_id = $3
      AND comment_id IS NOT DISTINCT FROM $4
)
"""


async def reaction_notified(
    conn: asyncpg.Connection, user_id: int, actor_id: int, post_id: int, comment_id: int | None
) -> bool:
    """Whether `user_id` was already told of a reaction of `actor_id` to this post (comment)."""
    return await conn.fetchval(REACTION_NOTIFIED, user_id, actor_id, post_id, comment_id)


LIST = (
    SELECT_NOTIFICATIONS
    + f"""
WHERE n.user_id = $1 AND (NOT $2 OR n.read_at IS NULL) AND ($3::bigint IS NULL OR n.id < $3)
  AND NOT {visibility.blocks_between("n.user_id", "n.actor_id")}
ORDER BY n.id DESC
LIMIT $4
"""
)


async def select_list(
    conn: asyncpg.Connection, user_id: int, unread_only: bool, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(LIST, user_id, unread_only, before, limit)


UNREAD_COUNTS = f"""
SELECT n.user_id, count(*) AS unread FROM notifications n
WHERE n.user_id = ANY($1::bigint[]) AND n.read_at IS NULL
  AND NOT {visibility.blocks_between("n.user_id", "n.actor_id")}
GROUP BY n.user_id
"""


async def unread_counts(conn: asyncpg.Connection, user_ids: list[int]) -> dict[int, int]:
    counts = {user_id: 0 for user_id in user_ids}
    for row in await conn.fetch(UNREAD_COUNTS, list(set(user_ids))):
        counts[row["user_id"]] = row["unread"]
    return counts


async def mark_read(conn: asyncpg.Connection, user_id: int, notification_id: int) -> bool:
    """False when the notification is not this user's (or does not exist)."""
    found = await conn.fetchval(
        """
        UPDATE notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND user_id = $2 RETURNING id
        """,
        notification_id,
        user_id,
    )
    return found is not None


async def mark_all_read(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(
        "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL", user_id
    )


async def mark_read_by_subject(conn: asyncpg.Connection, column: str, subject_id: int) -> list[int]:
    """Mark read the notifications about one request (it was answered); their ids."""
    assert column in _DRAFT_COLUMNS and column.endswith("_id")
    rows = await conn.fetch(
        f"UPDATE notifications SET read_at = COALESCE(read_at, now())"
        f" WHERE {column} = $1 RETURNING id",
        subject_id,
    )
    return [row["id"] for row in rows]


async def delete_by_subject(conn: asyncpg.Connection, column: str, subject_id: int) -> None:
    assert column in _DRAFT_COLUMNS and column.endswith("_id")
    await conn.execute(f"DELETE FROM notifications WHERE {column} = $1", subject_id)
