"""The media sweeper: media rows nothing uses, and files no row names, are removed.

A row is unused once no avatar, post, comment or message points at it (an avatar replaced or
removed, a post or comment deleted). Files are content-addressed, so one file may serve several
rows: a file goes only when no row names its content. Uploads give a file its content name only
after the row owning it has committed (server/http/uploads.py); a staged file that was never
published (a process killed mid-upload) goes too.

Nothing younger than the grace period is touched, neither rows nor files: a write in flight
(its transaction is bounded to seconds) can never lose what it is about to use. Between asking
the database which files are named and removing the others, the sweeper holds the media
directory's lock (server/media.StorageLock), which publishing a file shares, so a row that
commits meanwhile finds its file published after the removal, never removed after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import trio

from server import media, periodic
from server.db import media as rows
from server.db.database import Database
from server.errors import Unavailable

log = logging.getLogger("socialnet.media")

SWEEP_EVERY_SECONDS = 3600
# Far longer than any upload's transaction (30 s at most) and than clocks drift apart.
SWEEP_GRACE = timedelta(hours=1)
# Rows deleted, or file names asked about, per statement: bounded work under the lock.
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Swept:
    rows: int
    files: int


class MediaSweeper:
    """Sweeps `media_dir` against the database at start and then every hour."""

    def __init__(self, db: Database, media_dir: Path, *, grace: timedelta = SWEEP_GRACE):
        self.db = db
        self.media_dir = media_dir
        self.grace = grace

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        """Sweep once (ready when done), then every hour."""
        await periodic.every(SWEEP_EVERY_SECONDS, self._sweep_logged, task_status=task_status)

    async def _sweep_logged(self) -> None:
        try:
            swept = await self.sweep(now=datetime.now(UTC))
        except (OSError, Unavailable) as error:
            log.warning("could not sweep media: %s", error)
        else:
            if swept.rows or swept.files:
                log.info("swept %d unused media rows and %d files", swept.rows, swept.files)

    async def sweep(self, *, now: datetime) -> Swept:
        """One pass: unused rows created before `now - grace`, then files last written before
        it that no row names (and staged files never published)."""
        cutoff = now - self.grace
        deleted = 0
        while True:
            batch = await self.db.run(rows.delete_unused_media, cutoff, BATCH)
            deleted += batch
            if batch < BATCH:
                break
        stale = await trio.to_thread.run_sync(media.stale_files, self.media_dir, cutoff.timestamp())
        removed = await trio.to_thread.run_sync(media.remove_files, stale.staged)
        named = list(stale.named.items())
        for start in range(0, len(named), BATCH):
            removed += await self.remove_unnamed(dict(named[start : start + BATCH]))
        return Swept(rows=deleted, files=removed)

    async def remove_unnamed(self, files: dict[str, Path]) -> int:
        """Remove the files (by content hash) that no media row names, under the directory's
        lock, so that a row committing meanwhile never loses its file (files are shared by
        content: someone else may have uploaded the same bytes). How many went."""
        lock = media.StorageLock(self.media_dir, exclusive=True)
        try:
            await trio.to_thread.run_sync(lock.acquire)
            named = await self.db.run(rows.select_stored, list(files))
            unnamed = [path for sha256, path in files.items() if sha256 not in named]
            return await trio.to_thread.run_sync(media.remove_files, unnamed)
        finally:
            lock.release()
