"""Posts as a viewer sees them. Every read filters with visibility.post_visible, in the query."""

from __future__ import annotations

import asyncpg

from server.db import visibility


def post_columns(viewer: str) -> str:
    """The columns of a `<post>` as `viewer` (an SQL expression) sees it, from posts `p` and
    users `a`: its author's card, its comment count, its reaction counts (kept on the row) and
    the viewer's own reaction. One row per post, so a page of posts is one query."""
    return f"""
    p.id, p.body, p.media_id, p.privacy, p.group_id, p.created_at, p.edited_at,
    p.reaction_counts,
    a.id AS author_id, a.first_name AS author_first_name, a.last_name AS author_last_name,
    a.nickname AS author_nickname, a.avatar_id AS author_avatar_id,
    (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comments_count,
    (SELECT r.kind FROM post_reactions r WHERE r.post_id = p.id AND r.user_id = {viewer})
        AS my_reaction
"""


AUTHOR_POSTS = f"""
SELECT {post_columns("$2")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.author_id = $1 AND {visibility.post_visible("p", "$2")}
  AND ($3::bigint IS NULL OR p.id < $3)
ORDER BY p.id DESC
LIMIT $4
"""


async def select_author_posts(
    conn: asyncpg.Connection, author_id: int, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(AUTHOR_POSTS, author_id, viewer_id, before, limit)


POSTS_BY_IDS = f"""
SELECT {post_columns("$2")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.id = ANY($1::bigint[]) AND {visibility.post_visible("p", "$2")}
"""


async def select_posts_by_ids(
    conn: asyncpg.Connection, post_ids: list[int], viewer_id: int
) -> dict[int, asyncpg.Record]:
    if not post_ids:
        return {}
    rows = await conn.fetch(POSTS_BY_IDS, post_ids, viewer_id)
    return {row["id"]: row for row in rows}


# Home (SPEC.md, Posts and comments): the viewer's own posts (in a group: while a member), the
# posts of the people they follow that they may see (outside groups: those come with the groups),
# and the posts of their groups but those of people in a block with the viewer (blocks hide in
# both directions in the feeds; on the group's own page they stay, as group content). Each
# source is a top-N descent of one index, (author_id, id) or (group_id, id), cut at the page
# size before the sources meet: a page costs one short index scan per followee and per group,
# never a scan of every post the viewer may see.
HOME = f"""
WITH sources AS (
    (SELECT p.id FROM posts p
     WHERE p.author_id = $1 AND ($2::bigint IS NULL OR p.id < $2)
       AND (p.group_id IS NULL OR {visibility.is_member("p.group_id", "$1")})
     ORDER BY p.id DESC LIMIT $3)
    UNION ALL
    (SELECT followed.id FROM follows f CROSS JOIN LATERAL (
         SELECT p.id FROM posts p
         WHERE p.author_id = f.followee_id AND p.group_id IS NULL
           AND ($2::bigint IS NULL OR p.id < $2)
           AND {visibility.post_visible_to_follower("p", "$1")}
         ORDER BY p.id DESC LIMIT $3
     ) AS followed
     WHERE f.follower_id = $1 AND NOT {visibility.blocks_between("f.followee_id", "$1")})
    UNION ALL
    (SELECT grouped.id FROM group_members gm CROSS JOIN LATERAL (
         SELECT p.id FROM posts p
         WHERE p.group_id = gm.group_id AND p.author_id <> $1
           AND NOT {visibility.blocks_between("p.author_id", "$1")}
           AND ($2::bigint IS NULL OR p.id < $2)
         ORDER BY p.id DESC LIMIT $3
     ) AS grouped
     WHERE gm.user_id = $1)
)
SELECT {post_columns("$1")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.id IN (SELECT id FROM sources ORDER BY id DESC LIMIT $3)
ORDER BY p.id DESC
"""


async def select_home(
    conn: asyncpg.Connection, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    """Home, newest first: one query per page."""
    return await conn.fetch(HOME, viewer_id, before, limit)


# Explore: every public post outside groups, newest first, down the partial index
# ix_posts_public_outside_groups.
EXPLORE = f"""
SELECT {post_columns("$1")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.privacy = 'public' AND p.group_id IS NULL AND {visibility.post_visible("p", "$1")}
  AND ($2::bigint IS NULL OR p.id < $2)
ORDER BY p.id DESC
LIMIT $3
"""


async def select_explore(
    conn: asyncpg.Connection, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(EXPLORE, viewer_id, before, limit)


GROUP_POSTS = f"""
SELECT {post_columns("$2")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.group_id = $1 AND {visibility.post_visible("p", "$2")}
  AND ($3::bigint IS NULL OR p.id < $3)
ORDER BY p.id DESC
LIMIT $4
"""


async def select_group_posts(
    conn: asyncpg.Connection, group_id: int, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(GROUP_POSTS, group_id, viewer_id, before, limit)


VISIBLE_POST = f"""
SELECT {post_columns("$2")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.id = $1 AND {visibility.post_visible("p", "$2")}
"""


async def select_visible_post(
    conn: asyncpg.Connection, post_id: int, viewer_id: int
) -> asyncpg.Record | None:
    """The post when the viewer may see it; None otherwise (answer 404: existence stays hidden)."""
    return await conn.fetchrow(VISIBLE_POST, post_id, viewer_id)


INSERT_POST = """
INSERT INTO posts (author_id, group_id, body, media_id, privacy)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
"""


async def insert_post(
    conn: asyncpg.Connection,
    *,
    author_id: int,
    group_id: int | None,
    body: str,
    media_id: int | None,
    privacy: str,
    viewer_ids: list[int],
) -> int:
    post_id = await conn.fetchval(INSERT_POST, author_id, group_id, body, media_id, privacy)
    await _insert_viewers(conn, post_id, viewer_ids)
    return post_id


async def _insert_viewers(conn: asyncpg.Connection, post_id: int, viewer_ids: list[int]) -> None:
    if viewer_ids:
        await conn.execute(
            "INSERT INTO post_viewers (post_id, user_id) SELECT $1, unnest($2::bigint[])",
            post_id,
            viewer_ids,
        )


COUNTS = """
SELECT (SELECT count(*) FROM comments WHERE post_id = p.id) AS comments_count, p.reaction_counts
FROM posts p WHERE p.id = $1
"""


async def select_counts(conn: asyncpg.Connection, post_id: int) -> asyncpg.Record | None:
    """The post's comment count and reaction counts."""
    return await conn.fetchrow(COUNTS, post_id)


async def select_viewer_ids(conn: asyncpg.Connection, post_id: int) -> list[int]:
    """The followers picked for a private post (none for another privacy)."""
    rows = await conn.fetch("SELECT user_id FROM post_viewers WHERE post_id = $1", post_id)
    return [row["user_id"] for row in rows]


UPDATE_POST = """
UPDATE posts SET body = $2, privacy = $3, edited_at = now() WHERE id = $1
"""


async def update_post(
    conn: asyncpg.Connection, post_id: int, *, body: str, privacy: str, viewer_ids: list[int]
) -> None:
    """Replace the text, the privacy and the picked viewers; the post is now edited."""
    await conn.execute(UPDATE_POST, post_id, body, privacy)
    await conn.execute("DELETE FROM post_viewers WHERE post_id = $1", post_id)
    await _insert_viewers(conn, post_id, viewer_ids)


async def delete_post(conn: asyncpg.Connection, post_id: int) -> None:
    """The post goes with its comments, reactions, picked viewers and the notifications about
    them (their foreign keys cascade). Its image's media row stays, referenced by nothing: the
    media sweeper removes such rows and their files."""
    await conn.execute("DELETE FROM posts WHERE id = $1", post_id)
