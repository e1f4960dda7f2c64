"""Uploaded images: decoded under a budget, and stored only for rows that commit.

Every route that takes an image (register, avatar change, post, comment) does the same:

    async with open_upload(data, field="image") as image:
        row = await db().transaction(create_something, ..., image)

`open_upload` validates and re-encodes off the event loop (server/media.py), writes the result
under a temporary name, and gives it its content name only when the block, the owning
transaction, has committed. A refusal (email taken, a post that may not be made), any other
error or a cancellation leaves nothing behind. Several rows may share one file: nothing here
ever removes a content-named file; the sweeper does, for files no row names
(server/domain/media_sweeper.py). Between the COMMIT and the rename, a millisecond or so,
someone told of the new row over the bus would get a 404 for its image; the uploader, who is
answered after the rename, never does.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import asyncpg
import trio

from server import media
from server.db import media as media_db
from server.errors import ApiError, Unavailable
from server.http.context import config, db

log = logging.getLogger("socialnet.uploads")

# Decodes running at once in this process: one per core of the 2-core machines this runs on
# (Pillow releases the GIL while it decodes; the event loop mostly waits on Postgres). With the
# per-decode worst cases of server/media.py (about 310 MB for a 40-megapixel JPEG or PNG that
# must be turned upright, 80 MB for a GIF), decoding holds at most about 620 MB at once above
# what the server itself uses (per process: `--workers N` has N times the slots). Further
# uploads wait their turn; the wait is cancellable.
DECODES_AT_ONCE = 2
_decoders: trio.lowlevel.RunVar[trio.CapacityLimiter] = trio.lowlevel.RunVar("decoders")

# After a failure that may have followed the COMMIT (a deadline, a lost connection), the
# database is asked whether a row names the file; this bounds that question.
SETTLE_SECONDS = 5


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


@asynccontextmanager
async def open_upload(data: bytes | None, *, field: str) -> AsyncIterator[media.StoredImage | None]:
    """The processed image (None without data), stored under its content name only if the
    block completes: the block ends with the transaction that writes the row owning it (a
    contract refusal raised in it means that transaction rolled back)."""
    if not data:
        yield None
        return
    image = await process_image(data, field=field)
    staged = await trio.to_thread.run_sync(media.stage_file, config().media_dir, image)
    try:
        yield image
    except BaseException as error:
        with trio.CancelScope(shield=True):
            await _settle(staged, image, committed=False if _rolled_back(error) else None)
        raise
    with trio.CancelScope(shield=True):
        await _settle(staged, image, committed=True)


def _rolled_back(error: BaseException) -> bool:
    """A refusal of the contract raised by the transaction means it rolled back. Anything else
    (a deadline, a lost connection, a cancellation) may have come after the COMMIT."""
    return isinstance(error, ApiError) and not isinstance(error, Unavailable)


async def _settle(staged: Path, image: media.StoredImage, *, committed: bool | None) -> None:
    """Give the staged file its content name if the row owning it committed, else remove it;
    when that is unknown (None), ask the database whether a row names this content. Never
    raises: a committed row stays committed whatever happens to its file here, and a failure
    of the block is re-raised by the caller."""
    if committed is None:
        try:
            with trio.fail_after(SETTLE_SECONDS):
                committed = await db().run(media_db.is_stored, image.sha256)
        except (OSError, asyncpg.PostgresError, trio.TooSlowError) as error:
            log.warning("could not tell whether %s was stored: %s", image.filename, error)
            committed = False
    try:
        if committed:
            await trio.to_thread.run_sync(media.publish_file, staged)
        else:
            await trio.to_thread.run_sync(media.discard_file, staged)
    except OSError as error:
        log.error("could not settle %s: %s", staged, error)
