"""Media rows: one per stored upload; the file itself is named by `sha256`."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from server.db import visibility
from server.db.rows import from_record, frozen
from server.media import StoredImage


@frozen
class Media:
    id: int
    owner_id: int
    sha256: str
    content_type: str
    width: int
    height: int
    byte_size: int


INSERT_MEDIA = """
INSERT INTO media (owner_id, sha256, content_type, width, height, byte_size)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, owner_id, sha256, content_type, width, height, byte_size
"""


async def insert_media(
    conn: asyncpg.Connection,
    *,
    owner_id: int,
    sha256: str,
    content_type: str,
    width: int,
    height: int,
    byte_size: int,
) -> Media:
    record = await conn.fetchrow(
        INSERT_MEDIA, owner_id, sha256, content_type, width, height, byte_size
    )
    return from_record(Media, record)


async def insert_image(conn: asyncpg.Connection, owner_id: int, image: StoredImage) -> Media:
    """The row of a processed image (its file takes its content name once this commits)."""
    return await insert_media(
        conn,
        owner_id=owner_id,
        sha256=image.sha256,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        byte_size=len(image.data),
    )


SELECT_VISIBLE_MEDIA = f"""
SELECT m.id, m.owner_id, m.sha256, m.content_type, m.width, m.height, m.byte_size
FROM media m
WHERE m.id = $1 AND {visibility.media_visible("m", "$2")}
"""


async def select_visible_media(
    conn: asyncpg.Connection, media_id: int, viewer_id: int
) -> Media | None:
    """The media row when `viewer_id` may see it, else None (the caller answers 404)."""
    return from_record(Media, await conn.fetchrow(SELECT_VISIBLE_MEDIA, media_id, viewer_id))


SELECT_IS_STORED = "SELECT EXISTS (SELECT 1 FROM media WHERE sha256 = $1)"


async def is_stored(conn: asyncpg.Connection, sha256: str) -> bool:
    """Whether a row names the file of this content (rows may share one file)."""
    return await conn.fetchval(SELECT_IS_STORED, sha256)


SELECT_STORED = "SELECT DISTINCT sha256 FROM media WHERE sha256 = ANY($1::text[])"


async def select_stored(conn: asyncpg.Connection, hashes: list[str]) -> set[str]:
    """Which of these contents a row names."""
    return {record["sha256"] for record in await conn.fetch(SELECT_STORED, hashes)}


# A row nothing uses any more: a replaced or removed avatar, the image of a deleted post or
# comment. Created before the cutoff only, so that no write can still be about to use it.
DELETE_UNUSED = """
DELETE FROM media
WHERE id IN (
    SELECT m.id FROM media m
    WHERE m.created_at < $1
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.media_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.media_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.media_id = m.id)
    LIMIT $2
)
"""


async def delete_unused_media(
    conn: asyncpg.Connection, created_before: datetime, limit: int
) -> int:
    """Delete up to `limit` unused rows created before `created_before`; how many went. Their
    files stay for the caller to remove once no row names them."""
    status = await conn.execute(DELETE_UNUSED, created_before, limit)
    return int(status.split()[-1])
