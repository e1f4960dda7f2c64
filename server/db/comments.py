"""Comments: visible to whoever may see their post (the callers check the post first)."""

from __future__ import annotations

import asyncpg

COMMENT_COLUMNS = """
    c.id, c.post_id, c.body, c.media_id, c.created_at,
    a.id AS author_id, a.first_name AS author_first_name, a.last_name AS author_last_name,
    a.nickname AS author_nickname, a.avatar_id AS author_avatar_id
"""

POST_COMMENTS = f"""
SELECT {COMMENT_COLUMNS}
FROM comments c JOIN users a ON a.id = c.author_id
WHERE c.post_id = $1 AND ($2::bigint IS NULL OR c.id < $2)
ORDER BY c.id DESC
LIMIT $3
"""


async def select_post_comments(
    conn: asyncpg.Connection, post_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(POST_COMMENTS, post_id, before, limit)


INSERT_COMMENT = """
INSERT INTO comments (post_id, author_id, body, media_id) VALUES ($1, $2, $3, $4) RETURNING id
"""


async def insert_comment(
    conn: asyncpg.Connection, *, post_id: int, author_id: int, body: str, media_id: int | None
) -> asyncpg.Record:
    comment_id = await conn.fetchval(INSERT_COMMENT, post_id, author_id, body, media_id)
    return await conn.fetchrow(
        f"SELECT {COMMENT_COLUMNS} FROM comments c JOIN users a ON a.id = c.author_id"
        " WHERE c.id = $1",
        comment_id,
    )
