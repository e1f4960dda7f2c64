"""Storing an uploaded image: validate and re-encode in a thread, write the file, then the row."""

from __future__ import annotations

import asyncpg
import trio

from server import media
from server.db import media as media_db
from server.db.media import Media
from server.http.context import config


async def prepare_image(data: bytes, *, field: str) -> media.StoredImage:
    """Validate and re-encode off the event loop, then write the content-addressed file.
    Raises the contract's 413/415/422 before anything is stored in the database."""
    image = await trio.to_thread.run_sync(lambda: media.process_image(data, field=field))
    await trio.to_thread.run_sync(media.write_file, config().media_dir, image)
    return image


async def insert_image_row(
    conn: asyncpg.Connection, owner_id: int, image: media.StoredImage
) -> Media:
    """Asyncio side, inside the caller's transaction."""
    return await media_db.insert_media(
        conn,
        owner_id=owner_id,
        sha256=image.sha256,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        byte_size=len(image.data),
    )
