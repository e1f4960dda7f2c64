"""Comments: visible to whoever may see their post."""

from __future__ import annotations

import asyncpg

from server.db import visibility


def comment_columns(viewer: str) -> str:
    """The columns of a `<comment>` as `viewer` (an SQL expression) sees it, from comments `c`
    and users `a`: its author's card, its reaction counts and the viewer's own reaction."""
    return f"""
    c.id, c.post_id, c.body, c.media_id, c.created_at, c.edited_at, c.reaction_counts,
    a.id AS author_id, a.first_name AS author_first_name, a.last_name AS author_last_name,
    a.nickname AS author_nickname, a.avatar_id AS author_avatar_id,
    (SELECT r.kind FROM comment_reactions r WHERE r.comment_id = c.id AND r.user_id = {viewer})
        AS my_reaction
"""


# The callers have checked the post; each comment is checked here (a block hides its author's).
POST_COMMENTS = f"""
SELECT {comment_columns("$2")}
FROM comments c JOIN users a ON a.id = c.author_id JOIN posts p ON p.id = c.post_id
WHERE c.post_id = $1 AND {visibility.comment_visible("c", "p", "$2")}
  AND ($3::bigint IS NULL OR c.id < $3)
ORDER BY c.id DESC
LIMIT $4
"""


async def select_post_comments(
    conn: asyncpg.Connection, post_id: int, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(POST_COMMENTS, post_id, viewer_id, before, limit)


# A comment where the viewer may see it, with what deciding about it takes: its post's author,
# group and privacy (permissions to change it, the audience of its live frames).
VISIBLE_COMMENT = f"""
SELECT {comment_columns("$2")},
       p.author_id AS post_author_id, p.group_id, p.privacy
FROM comments c JOIN users a ON a.id = c.author_id JOIN posts p ON p.id = c.post_id
WHERE c.id = $1 AND {visibility.comment_visible("c", "p", "$2")}
"""


async def select_visible_comment(
    conn: asyncpg.Connection, comment_id: int, viewer_id: int
) -> asyncpg.Record | None:
    """The comment when the viewer may see it; None otherwise (answer 404)."""
    return await conn.fetchrow(VISIBLE_COMMENT, comment_id, viewer_id)


INSERT_COMMENT = """
INSERT INTO comments (post_id, author_id, body, media_id) VALUES ($1, $2, $3, $4) RETURNING id
"""


async def insert_comment(
    conn: asyncpg.Connection, *, post_id: int, author_id: int, body: str, media_id: int | None
) -> int:
    return await conn.fetchval(INSERT_COMMENT, post_id, author_id, body, media_id)


async def update_comment(conn: asyncpg.Connection, comment_id: int, body: str) -> None:
    await conn.execute(
        "UPDATE comments SET body = $2, edited_at = now() WHERE id = $1", comment_id, body
    )


async def delete_comment(conn: asyncpg.Connection, comment_id: int) -> None:
    """The comment goes with its reactions and the notifications about it (cascades); its
    image's media row stays for the media sweeper, as a deleted post's does."""
    await conn.execute("DELETE FROM comments WHERE id = $1", comment_id)
