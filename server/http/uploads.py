"""Storing an uploaded image: validate and re-encode in a thread, then write the file (the
row that owns it is written by the transaction that uses it: server/db/media.insert_image)."""

from __future__ import annotations

import trio

from server import media
from server.http.context import config


async def prepare_image(data: bytes, *, field: str) -> media.StoredImage:
    """Validate and re-encode off the event loop, then write the content-addressed file.
    Raises the contract's 413/415/422 before anything is stored in the database."""
    image = await trio.to_thread.run_sync(lambda: media.process_image(data, field=field))
    await trio.to_thread.run_sync(media.write_file, config().media_dir, image)
    return image
