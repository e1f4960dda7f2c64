"""Reading people as a given viewer sees them: profiles, search, and the profile gate."""

from __future__ import annotations

import asyncpg

from server.db import visibility

PROFILE = f"""
SELECT u.id, u.email, u.first_name, u.last_name, u.date_of_birth, u.nickname, u.about_me,
       u.avatar_id, u.is_public, u.created_at,
       {visibility.profile_visible("u", "$2")} AS can_view,
       {visibility.follows("$2", "u.id")} AS following,
       EXISTS (
           SELECT 1 FROM follow_requests
           WHERE requester_id = $2 AND target_id = u.id AND status = 'pending'
       ) AS requested,
       {visibility.follows("u.id", "$2")} AS follows_you,
       {visibility.blocked("$2", "u.id")} AS blocked,
       (SELECT count(*) FROM follows WHERE followee_id = u.id) AS followers_count,
       (SELECT count(*) FROM follows WHERE follower_id = u.id) AS following_count
FROM users u
WHERE u.id = $1 AND {visibility.user_visible("u.id", "$2")}
"""


async def select_profile(
    conn: asyncpg.Connection, user_id: int, viewer_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(PROFILE, user_id, viewer_id)


CAN_VIEW_PROFILE = f"""
SELECT {visibility.profile_visible("u", "$2")} FROM users u
WHERE u.id = $1 AND {visibility.user_visible("u.id", "$2")}
"""


async def can_view_profile(conn: asyncpg.Connection, user_id: int, viewer_id: int) -> bool | None:
    """None when the user does not exist (for the viewer: not when they blocked the viewer)."""
    return await conn.fetchval(CAN_VIEW_PROFILE, user_id, viewer_id)


def person_columns(viewer: str) -> str:
    """A person in a list of people, from users `u`: their card, whether the profile is public
    and the viewer's follow state, so a list needs no query per person."""
    return f"""
    u.id, u.first_name, u.last_name, u.nickname, u.avatar_id, u.is_public,
    CASE
        WHEN u.id = {viewer} THEN 'self'
        WHEN {visibility.follows(viewer, "u.id")} THEN 'following'
        WHEN EXISTS (
            SELECT 1 FROM follow_requests
            WHERE requester_id = {viewer} AND target_id = u.id AND status = 'pending'
        ) THEN 'requested'
        ELSE 'none'
    END AS follow_state
"""


# Search by first name, last name, full name or nickname; everyone when the query is empty.
SEARCH = f"""
SELECT {person_columns("$2")}
FROM users u
WHERE ($1 = '' OR u.first_name ILIKE $1 ESCAPE '\\' OR u.last_name ILIKE $1 ESCAPE '\\'
       OR u.nickname ILIKE $1 ESCAPE '\\'
       OR (u.first_name || ' ' || u.last_name) ILIKE $1 ESCAPE '\\')
  AND NOT {visibility.blocks_between("u.id", "$2")}
  AND ($3::bigint IS NULL OR u.id < $3)
ORDER BY u.id DESC
LIMIT $4
"""


def like_pattern(text: str) -> str:
    """A substring pattern that treats %, _ and \\ in the user's text literally."""
    if not text:
        return ""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_users(
    conn: asyncpg.Connection, query: str, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(SEARCH, like_pattern(query), viewer_id, before, limit)


UPDATE_PROFILE = """
UPDATE users SET
    first_name = COALESCE($2, first_name),
    last_name = COALESCE($3, last_name),
    nickname = CASE WHEN $4 THEN $5 ELSE nickname END,
    about_me = CASE WHEN $6 THEN $7 ELSE about_me END,
    is_public = COALESCE($8, is_public)
WHERE id = $1
"""


async def update_profile(conn: asyncpg.Connection, user_id: int, changes: dict) -> None:
    """Apply the given changes only; nickname and about_me may be set to None (cleared)."""
    await conn.execute(
        UPDATE_PROFILE,
        user_id,
        changes.get("first_name"),
        changes.get("last_name"),
        "nickname" in changes,
        changes.get("nickname"),
        "about_me" in changes,
        changes.get("about_me"),
        changes.get("is_public"),
    )
