"""A user's account as a whole (SPEC.md, Accounts and sessions): deleting it and exporting it.

Deletion (the password required) removes the user and all they authored. The foreign keys do
most of it (server/db/account_data.py, delete_user, lists what cascades); what they cannot
decide is done first: each group the user created passes to its earliest-joined remaining
member, or is deleted with its content when none remains. Every session ends (sockets close
on every process), and after the commit the user's image files leave the disk unless another
user's upload shares their bytes.

The export is a zip: `data.json` (profile, posts, comments, messages sent and received,
follows, groups, event answers, images) and `media/` with the user's own images. It is made as
it is sent: data.json first, then each image copied in chunks, so an export holds a chunk in
memory and nothing on disk, however large the user's images (the HTTP layer streams it; files
are read and data.json compressed in worker threads, so the event loop never blocks on them).
One export per user is under way at a time in a process: a second, asked while the first is
still being made or downloaded, answers 429 (otherwise one account could start dozens of
downloads of all its images at once, at everyone else's expense).
"""

from __future__ import annotations

import json
import logging
import weakref
import zipfile
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import IO

import asyncpg
import trio

from server import events, media
from server.db import account_data as rows
from server.db import reactions, users
from server.db.database import Database, emit
from server.domain.credentials import verify_own_password
from server.domain.media_sweeper import MediaSweeper
from server.domain.sessions import Sessions, end_sessions_of
from server.errors import RateLimited
from server.shapes import iso, me_json, reactions_json

log = logging.getLogger("socialnet.accounts")

# Images are copied into the export this much at a time (what one export holds in memory,
# beside its data.json).
EXPORT_CHUNK_BYTES = 64 * 1024
# Retry-After of a second export asked while one is under way (a download takes seconds).
EXPORT_RETRY_SECONDS = 10
EXPORT_UNDER_WAY = "An export of your data is already under way; try again once it is done."


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
    seen = await rows.select_seen_by_others(conn, user_id)
    # Counts kept on the reacted rows would not follow the cascade.
    await reactions.uncount_all_of(conn, user_id)
    await rows.delete_user(conn, user_id)
    await _tell_watchers(conn, user_id, seen)
    return files


def _facts(row: asyncpg.Record, post_id: str = "id") -> dict:
    """A post's facts (PostEvent's fields) from a row holding them; its id in `post_id`."""
    return {
        "post_id": row[post_id],
        "author_id": row["author_id"],
        "group_id": row["group_id"],
        "privacy": row["privacy"],
        "viewer_ids": tuple(row["viewer_ids"]),
    }


async def _tell_watchers(conn: asyncpg.Connection, user_id: int, seen: dict[str, list]) -> None:
    """The live frames of what the deletion took (SPEC.md, Posts and comments: Live): the
    user's posts go from the screens that show them, their comments from under others' posts,
    and those posts' and comments' counts drop what the user gave them. Each frame reaches
    only those who may see its post, as for any deletion."""
    emit(conn, *(events.PostDeleted(**_facts(post)) for post in seen["posts"]))
    states = await rows.select_post_states(conn, seen["answered_posts"])
    for comment in seen["comments"]:
        post = states.get(comment["post_id"])
        if post is not None:
            emit(
                conn,
                events.CommentDeleted(
                    **_facts(post), comment_id=comment["id"], comment_author_id=user_id
                ),
            )
    for post in states.values():
        emit(
            conn,
            events.PostCounts(
                **_facts(post),
                comments_count=post["comments_count"],
                reactions=reactions_json(post["reaction_counts"]),
            ),
        )
    for comment in await rows.select_comment_states(conn, seen["reacted_comments"]):
        emit(
            conn,
            events.CommentCounts(
                **_facts(comment, "post_id"),
                comment_id=comment["id"],
                comment_author_id=comment["comment_author_id"],
                reactions=reactions_json(comment["reaction_counts"]),
            ),
        )


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


class _ExportSlot:
    """A user's one export under way in this process; freed when the stream ends, however it
    ends (finished, abandoned by the client, or dropped before it started)."""

    __slots__ = ("_slots", "_user_id", "__weakref__")

    def __init__(self, slots: dict[int, _ExportSlot], user_id: int):
        self._slots, self._user_id = slots, user_id
        slots[user_id] = self

    def release(self) -> None:
        if self._slots.get(self._user_id) is self:
            del self._slots[self._user_id]


_exports: trio.lowlevel.RunVar[dict[int, _ExportSlot]] = trio.lowlevel.RunVar("exports")


def _exports_under_way() -> dict[int, _ExportSlot]:
    try:
        return _exports.get()
    except LookupError:
        slots: dict[int, _ExportSlot] = {}
        _exports.set(slots)
        return slots


class _Sink:
    """The zip's output: unseekable (so zipfile writes each entry's sizes after its data), it
    keeps what was written until the stream hands it on."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _write_data_json(archive: zipfile.ZipFile, data: dict) -> None:
    """data.json, compressed (blocking: a worker thread)."""
    archive.writestr("data.json", json.dumps(data, default=_json_default, indent=2))


def _open_image(path: Path, name: str) -> tuple[IO[bytes], zipfile.ZipInfo] | None:
    """An image file and its zip entry (stored: images are compressed already), or None when
    the file is gone (blocking: a worker thread)."""
    try:
        source = path.open("rb")
    except FileNotFoundError:
        return None
    entry = zipfile.ZipInfo.from_file(path, name)
    entry.compress_type = zipfile.ZIP_STORED
    return source, entry


async def _zip_stream(
    media_dir: Path, profile: dict, parts: dict[str, list[dict]], slot: _ExportSlot
) -> AsyncIterator[bytes]:
    try:
        files = []
        for row in parts["media"]:
            row["file"] = media_name(row)
            path = media.file_path(media_dir, row.pop("sha256"), row["content_type"])
            files.append((path, row["file"]))
        data = {"exported_at": iso(datetime.now().astimezone()), "profile": profile, **parts}
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            await trio.to_thread.run_sync(_write_data_json, archive, data)
            yield sink.take()
            for path, name in files:
                opened = await trio.to_thread.run_sync(_open_image, path, name)
                if opened is None:
                    continue
                source, entry = opened
                with source, archive.open(entry, "w") as target:
                    while chunk := await trio.to_thread.run_sync(source.read, EXPORT_CHUNK_BYTES):
                        target.write(chunk)
                        yield sink.take()
        yield sink.take()  # the last entry's sizes and the zip's directory
    finally:
        slot.release()


async def _read_export(conn: asyncpg.Connection, user_id: int):
    return await users.select_user(conn, user_id), await rows.select_export(conn, user_id)


async def export_account(db: Database, media_dir: Path, user_id: int) -> AsyncIterator[bytes]:
    """The user's data as a zip, in chunks as it is made (the caller streams them). RateLimited
    while another export of theirs is under way in this process."""
    slots = _exports_under_way()
    if user_id in slots:
        raise RateLimited(EXPORT_RETRY_SECONDS, EXPORT_UNDER_WAY)
    slot = _ExportSlot(slots, user_id)
    try:
        user, parts = await db.run(_read_export, user_id)
    except BaseException:
        slot.release()
        raise
    stream = _zip_stream(media_dir, me_json(user), parts, slot)
    # A stream dropped before it started never runs its `finally`: its slot goes with it.
    weakref.finalize(stream, slot.release)
    return stream
