"""GET /media/{id}: image bytes, after the same visibility rule as what they belong to."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import trio
from quart import Blueprint, Response

from server import media
from server.db import media as media_db
from server.errors import NotFound
from server.http.context import config, db, viewer_id
from server.http.contract import Answer, declare

blueprint = Blueprint("media", __name__)

# An image is sent this much at a time (the most of it one answer holds in memory).
CHUNK_BYTES = 256 * 1024


@blueprint.get("/media/<id:media_id>")
@declare(
    answers={
        200: Answer(
            media="image/*",
            schema={"type": "string", "format": "binary"},
            description="The image, with its real content type; Cache-Control: private",
            headers=("ETag", "Cache-Control"),
        )
    }
)
async def get_media(media_id: int):
    """An image the viewer may see; 404 otherwise (its existence does not leak)."""
    row = await db().run(media_db.select_visible_media, media_id, viewer_id())
    if row is None:
        raise NotFound()
    path = media.file_path(config().media_dir, row.sha256, row.content_type)
    try:
        image = await trio.open_file(path, "rb")
    except FileNotFoundError:
        raise NotFound() from None
    size = os.fstat(image.fileno()).st_size
    return Response(
        _chunks(image),
        status=200,
        content_type=row.content_type,
        headers={
            "Content-Length": str(size),
            # Per-user authorization: shared caches must not keep it; the browser may.
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
            "ETag": f'"{row.sha256}"',
        },
    )


async def _chunks(image) -> AsyncIterator[bytes]:
    """The file, a chunk at a time: a client that reads slowly (or not at all) holds one chunk
    of the server's memory, not the whole image. The file closes when the answer ends (or, if
    it is never sent, when it is collected)."""
    async with image:
        while chunk := await image.read(CHUNK_BYTES):
            yield chunk
