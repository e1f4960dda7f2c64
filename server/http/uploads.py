"""Storing an uploaded image: validate and re-encode in a thread under the decode budget, then
write the file (the row that owns it is written by the transaction that uses it:
server/db/media.insert_image)."""

from __future__ import annotations

from functools import partial

import trio

from server import media
from server.http.context import config

# Decodes running at once in this process: one per core of the 2-core machines this runs on
# (Pillow releases the GIL while it decodes; the event loop mostly waits on Postgres). With the
# per-decode worst cases of server/media.py (about 310 MB for a 40-megapixel JPEG or PNG that
# must be turned upright, 80 MB for a GIF), decoding holds at most about 620 MB at once above
# what the server itself uses (per process: `--workers N` has N times the slots). Further
# uploads wait their turn; the wait is cancellable.
DECODES_AT_ONCE = 2
_decoders: trio.lowlevel.RunVar[trio.CapacityLimiter] = trio.lowlevel.RunVar("decoders")


def decoders() -> trio.CapacityLimiter:
    """This process's decode slots."""
    try:
        return _decoders.get()
    except LookupError:
        limiter = trio.CapacityLimiter(DECODES_AT_ONCE)
        _decoders.set(limiter)
        return limiter


async def process_image(data: bytes, *, field: str) -> media.StoredImage:
    """Validate and re-encode in a worker thread, once a decode slot is free. Raises the
    contract's 413/415/422; what cannot fit is refused before it is decoded."""
    return await trio.to_thread.run_sync(
        partial(media.process_image, data, field=field), limiter=decoders()
    )


async def prepare_image(data: bytes, *, field: str) -> media.StoredImage:
    """Process (see `process_image`), then write the content-addressed file."""
    image = await process_image(data, field=field)
    await trio.to_thread.run_sync(media.write_file, config().media_dir, image)
    return image
