"""A user's account as a whole (SPEC.md, Accounts and sessions): deleting it and exporting it.

Deletion (the password required) removes the user and all they authored. The foreign keys do
most of it (server/db/account_data.py, delete_user, lists what cascades); what they cannot
decide is done first: each group the user created passes to its earliest-joined remaining
member, or is deleted with its content when none remains. Every session ends (sockets close
on every process), and after the commit the user's image files leave the disk unless another
user's upload shares their bytes.

The export is a zip: `data.json` (profile, posts, comments, messages sent and received,
follows, groups, event answers, images) and `media/` with the user's own images. It is written
to a temporary file in a worker thread (images are read from disk, and zipping is CPU work),
then streamed out by the HTTP layer, so the event loop never blocks on it.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import IO

import asyncpg
import trio

from server import media
from server.db import account_data as rows
from server.db import reactions, users
from server.db.database import Database
from server.domain.credentials import verify_own_password
from server.domain.media_sweeper import MediaSweeper
from server.domain.sessions import Sessions, end_sessions_of
from server.shapes import iso, me_json

log = logging.getLogger("socialnet.accounts")

# The export stays in memory up to this size, then spills to a temporary file.
EXPORT_IN_MEMORY_BYTES = 1024 * 1024


async def delete_account_rows(conn: asyncpg.Connection, user_id: int) -> list[tuple[str, str]]:
    """Inside the caller's transaction, the deletion SPEC.md describes: groups the user created
    pass to their earliest-joined remaining member (or go, with their content, when none
    remains), every session ends (sockets closed everywhere once this commits), and the user row
    goes with all it references. The files (sha256, content type) of the user's images, for
    `remove_images` once this has committed."""
    for group_id in await rows.created_groups(conn, user_id):
        heir = await rows.heir_of(conn, group_id, user_id)
        if heir is None:
            await rows.delete_group(conn, group_id)
        else:
            await rows.set_creator(conn, group_id, heir)
    files = await rows.own_files(conn, user_id)
    await end_sessions_of(conn, user_id, keep=None)
    # Counts kept on the reacted rows would not follow the cascade.
    await reactions.uncount_all_of(conn, user_id)
    await rows.delete_user(conn, user_id)
    return files


async def delete_account(
    sessions: Sessions, sweeper: MediaSweeper, user_id: int, password: str
) -> None:
    """Delete the account when `password` is right (else 422 fields.password), and its images
    from the disk at once (those nobody else stored the same bytes of)."""
    await verify_own_password(sessions, user_id, password, field="password")
    files = await sessions.db.transaction(delete_account_rows, user_id)
    sessions.forget_user(user_id)
    await remove_images(sweeper, files)
    log.info("account %d deleted", user_id)


async def remove_images(sweeper: MediaSweeper, files: list[tuple[str, str]]) -> None:
    """A deleted account's image files, off the disk at once: those nobody else stored the same
    bytes of (files are named by content), under the media directory's lock."""
    if files:
        paths = {sha: media.file_path(sweeper.media_dir, sha, kind) for sha, kind in files}
        await sweeper.remove_unnamed(paths)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot export {type(value).__name__}")


def media_name(row: dict) -> str:
    return f"media/{row['id']}.{media.EXTENSIONS[row['content_type']]}"


def write_export(media_dir: Path, profile: dict, parts: dict[str, list[dict]]) -> IO[bytes]:
    """The zip, in a temporary file positioned at its start (blocking: a worker thread)."""
    files = []
    for row in parts["media"]:
        row["file"] = media_name(row)
        path = media.file_path(media_dir, row.pop("sha256"), row["content_type"])
        files.append((path, row["file"]))
    data = {"exported_at": iso(datetime.now().astimezone()), "profile": profile, **parts}
    out = tempfile.SpooledTemporaryFile(max_size=EXPORT_IN_MEMORY_BYTES)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, default=_json_default, indent=2))
        for path, name in files:
            if path.is_file():
                # Images are compressed already.
                archive.write(path, name, compress_type=zipfile.ZIP_STORED)
    out.seek(0)
    return out


async def _read_export(conn: asyncpg.Connection, user_id: int):
    return await users.select_user(conn, user_id), await rows.select_export(conn, user_id)


async def export_account(db: Database, media_dir: Path, user_id: int) -> IO[bytes]:
    """The user's data as a zip in a temporary file (the caller streams and closes it)."""
    user, parts = await db.run(_read_export, user_id)
    return await trio.to_thread.run_sync(write_export, media_dir, me_json(user), parts)
