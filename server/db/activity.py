"""A person's activity (SPEC.md, Profiles): their posts, comments, group joins and events,
newest first, each only when the viewer may see it.

The list mixes four tables, so its cursor is a time: `before` and `next` are microseconds
since the epoch (integers, like every cursor of the API).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from server.db import posts, visibility

ACTIVITY = f"""
SELECT kind, created_at, ref_id FROM (
    SELECT 'post' AS kind, p.created_at, p.id AS ref_id
    FROM posts p WHERE p.author_id = $1 AND {visibility.post_visible("p", "$2")}
    UNION ALL
    SELECT 'comment', c.created_at, c.id
    FROM comments c JOIN posts p ON p.id = c.post_id
    WHERE c.author_id = $1 AND {visibility.comment_visible("c", "p", "$2")}
    UNION ALL
    SELECT 'group_join', gm.joined_at, gm.group_id
    FROM group_members gm WHERE gm.user_id = $1
    UNION ALL
    SELECT 'event', e.created_at, e.id
    FROM events e WHERE e.creator_id = $1 AND {visibility.is_member("e.group_id", "$2")}
) AS activity
WHERE $3::timestamptz IS NULL OR created_at < $3
ORDER BY created_at DESC
LIMIT $4
"""

COMMENTS_BY_IDS = "SELECT id, post_id, body, created_at FROM comments WHERE id = ANY($1::bigint[])"
GROUPS_BY_IDS = "SELECT id, title FROM groups WHERE id = ANY($1::bigint[])"
EVENTS_BY_IDS = """
SELECT e.id, e.title, e.group_id, g.title AS group_title, e.starts_at
FROM events e JOIN groups g ON g.id = e.group_id WHERE e.id = ANY($1::bigint[])
"""


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def to_cursor(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND  # exact: no float rounding


def from_cursor(cursor: int | None) -> datetime | None:
    if cursor is None:
        return None
    return EPOCH + cursor * MICROSECOND


async def select_activity(
    conn: asyncpg.Connection, user_id: int, viewer_id: int, before: int | None, limit: int
) -> list[dict]:
    """Items `{kind, created_at, cursor, post|comment|group|event: record}`: one query for the
    list, then at most one per kind present to fill the items in."""
    rows = await conn.fetch(ACTIVITY, user_id, viewer_id, from_cursor(before), limit)
    ids: dict[str, list[int]] = {}
    for row in rows:
        ids.setdefault(row["kind"], []).append(row["ref_id"])
    found = {
        "post": await posts.select_posts_by_ids(conn, ids.get("post", []), viewer_id),
        "comment": await _by_id(conn, COMMENTS_BY_IDS, ids.get("comment")),
        "group_join": await _by_id(conn, GROUPS_BY_IDS, ids.get("group_join")),
        "event": await _by_id(conn, EVENTS_BY_IDS, ids.get("event")),
    }
    return [
        {
            "kind": row["kind"],
            "created_at": row["created_at"],
            "cursor": to_cursor(row["created_at"]),
            "ref": found[row["kind"]].get(row["ref_id"]),
        }
        for row in rows
    ]


async def _by_id(conn: asyncpg.Connection, sql: str, ids: list[int] | None) -> dict:
    if not ids:
        return {}
    return {row["id"]: row for row in await conn.fetch(sql, ids)}
