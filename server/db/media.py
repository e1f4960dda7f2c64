"""Media rows: one per stored upload; the file itself is named by `sha256`."""

from __future__ import annotations

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
