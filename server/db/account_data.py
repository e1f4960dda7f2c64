"""A user's data as a whole: what an account deletion changes beyond the cascades of the
foreign keys, and what a data export reads. Plain SQL, connection first."""

from __future__ import annotations

import asyncpg

# --- deletion ------------------------------------------------------------------------------

CREATED_GROUPS = "SELECT id FROM groups WHERE creator_id = $1 ORDER BY id FOR UPDATE"


async def created_groups(conn: asyncpg.Connection, user_id: int) -> list[int]:
    """The groups the user created, locked against concurrent changes of their creator."""
    return [row["id"] for row in await conn.fetch(CREATED_GROUPS, user_id)]


# The heir: the earliest-joined member other than the leaving creator (ties by user id).
HEIR = """
SELECT user_id FROM group_members
WHERE group_id = $1 AND user_id <> $2
ORDER BY joined_at, user_id
LIMIT 1
"""


async def heir_of(conn: asyncpg.Connection, group_id: int, user_id: int) -> int | None:
    return await conn.fetchval(HEIR, group_id, user_id)


async def set_creator(conn: asyncpg.Connection, group_id: int, creator_id: int) -> None:
    await conn.execute("UPDATE groups SET creator_id = $2 WHERE id = $1", group_id, creator_id)


async def delete_group(conn: asyncpg.Connection, group_id: int) -> None:
    """The group goes with its members, posts, comments, events, invitations, requests, chat
    and the notifications about them (their foreign keys cascade)."""
    await conn.execute("DELETE FROM groups WHERE id = $1", group_id)


# Files of the user's images that no other user's media row shares (files are named by their
# content, so two people who uploaded the same bytes share one file).
OWN_FILES = """
SELECT DISTINCT m.sha256, m.content_type FROM media m
WHERE m.owner_id = $1
  AND NOT EXISTS (SELECT 1 FROM media o WHERE o.sha256 = m.sha256 AND o.owner_id <> $1)
"""


async def own_files(conn: asyncpg.Connection, user_id: int) -> list[tuple[str, str]]:
    return [(row["sha256"], row["content_type"]) for row in await conn.fetch(OWN_FILES, user_id)]


# What a deletion takes from what others may have on screen (their live frames): the user's
# posts, their comments under other people's posts, and the posts and comments of others whose
# counts lose their comments and reactions. The picked viewers of a private post go with each
# post's facts (server/db/visibility.py, PostFacts).
_VIEWER_IDS = """
    CASE WHEN p.group_id IS NULL AND p.privacy = 'private'
         THEN ARRAY(SELECT v.user_id FROM post_viewers v WHERE v.post_id = p.id)
         ELSE '{}'::bigint[] END AS viewer_ids
"""
AUTHORED_POSTS = f"""
SELECT p.id, p.author_id, p.group_id, p.privacy, {_VIEWER_IDS}
FROM posts p WHERE p.author_id = $1
"""
COMMENTS_ELSEWHERE = """
SELECT c.id, c.post_id FROM comments c JOIN posts p ON p.id = c.post_id
WHERE c.author_id = $1 AND p.author_id <> $1
"""
ANSWERED_POSTS = """
SELECT t.post_id FROM (
    SELECT post_id FROM comments WHERE author_id = $1
    UNION SELECT post_id FROM post_reactions WHERE user_id = $1
) AS t JOIN posts p ON p.id = t.post_id
WHERE p.author_id <> $1
"""
REACTED_COMMENTS = """
SELECT r.comment_id FROM comment_reactions r
JOIN comments c ON c.id = r.comment_id JOIN posts p ON p.id = c.post_id
WHERE r.user_id = $1 AND c.author_id <> $1 AND p.author_id <> $1
"""
POST_STATES = f"""
SELECT p.id, p.author_id, p.group_id, p.privacy, {_VIEWER_IDS},
       (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comments_count,
       p.reaction_counts
FROM posts p WHERE p.id = ANY($1::bigint[])
"""
COMMENT_STATES = f"""
SELECT c.id, c.author_id AS comment_author_id, c.reaction_counts, p.id AS post_id, p.author_id,
       p.group_id, p.privacy, {_VIEWER_IDS}
FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = ANY($1::bigint[])
"""


async def select_seen_by_others(conn: asyncpg.Connection, user_id: int) -> dict[str, list]:
    """Before the deletion: the user's posts (with their facts), their comments under others'
    posts, and the ids of the others' posts and comments whose counts will change."""
    return {
        "posts": await conn.fetch(AUTHORED_POSTS, user_id),
        "comments": await conn.fetch(COMMENTS_ELSEWHERE, user_id),
        "answered_posts": [row["post_id"] for row in await conn.fetch(ANSWERED_POSTS, user_id)],
        "reacted_comments": [
            row["comment_id"] for row in await conn.fetch(REACTED_COMMENTS, user_id)
        ],
    }


async def select_post_states(conn: asyncpg.Connection, post_ids: list[int]):
    """Posts' facts and counts, by id (those that exist)."""
    return {row["id"]: row for row in await conn.fetch(POST_STATES, post_ids)}


async def select_comment_states(conn: asyncpg.Connection, comment_ids: list[int]):
    """Comments' reaction counts and their posts' facts (those that exist)."""
    return await conn.fetch(COMMENT_STATES, comment_ids)


async def delete_user(conn: asyncpg.Connection, user_id: int) -> None:
    """The user row; everything that references it goes with it (ON DELETE CASCADE): their
    sessions, reset tokens, media rows, follows both ways, follow requests both ways, group
    memberships, invitations sent and received, join requests, events they created and every
    answer to them, their event answers, posts (with their comments and picked viewers),
    comments, reactions (the caller has taken them out of the counts first), blocks either
    way, messages sent and received, read markers, and notifications to them or with them as
    the actor."""
    await conn.execute("DELETE FROM users WHERE id = $1", user_id)


# --- export --------------------------------------------------------------------------------

EXPORT_QUERIES = {
    "posts": """
        SELECT id, body, privacy, group_id, media_id, created_at FROM posts
        WHERE author_id = $1 ORDER BY id
    """,
    "comments": """
        SELECT id, post_id, body, media_id, created_at FROM comments
        WHERE author_id = $1 ORDER BY id
    """,
    "messages": """
        SELECT id, sender_id, recipient_id, group_id, body, created_at FROM messages
        WHERE sender_id = $1 OR recipient_id = $1 ORDER BY id
    """,
    "following": """
        SELECT u.id, u.first_name, u.last_name, f.created_at FROM follows f
        JOIN users u ON u.id = f.followee_id WHERE f.follower_id = $1 ORDER BY f.created_at
    """,
    "followers": """
        SELECT u.id, u.first_name, u.last_name, f.created_at FROM follows f
        JOIN users u ON u.id = f.follower_id WHERE f.followee_id = $1 ORDER BY f.created_at
    """,
    "groups": """
        SELECT g.id, g.title, g.description, g.creator_id = $1 AS is_creator, m.joined_at
        FROM group_members m JOIN groups g ON g.id = m.group_id
        WHERE m.user_id = $1 ORDER BY m.joined_at
    """,
    "event_answers": """
        SELECT e.id AS event_id, e.title, e.group_id, e.starts_at, r.response, r.updated_at
        FROM event_responses r JOIN events e ON e.id = r.event_id
        WHERE r.user_id = $1 ORDER BY r.updated_at
    """,
    "media": """
        SELECT id, sha256, content_type, width, height, byte_size, created_at FROM media
        WHERE owner_id = $1 ORDER BY id
    """,
}


async def select_export(conn: asyncpg.Connection, user_id: int) -> dict[str, list[dict]]:
    """Every part of the export but the profile, as lists of plain dicts."""
    return {
        part: [dict(row) for row in await conn.fetch(query, user_id)]
        for part, query in EXPORT_QUERIES.items()
    }
