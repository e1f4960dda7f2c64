"""GET /media/{id}: image bytes, after the same visibility rule as what they belong to."""

from __future__ import annotations

import trio
from quart import Blueprint, Response

from server import media
from server.db import media as media_db
from server.errors import NotFound
from server.http.context import config, db, viewer_id
from server.http.contract import Answer, declare

blueprint = Blueprint("media", __name__)


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
        data = await trio.Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound() from None
    return Response(
        data,
        status=200,
        content_type=row.content_type,
        headers={
            # Per-user authorization: shared caches must not keep it; the browser may.
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
            "ETag": f'"{row.sha256}"',
        },
    )
