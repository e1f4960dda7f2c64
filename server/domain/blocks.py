"""Blocks (SPEC.md, Blocks): A blocks B silently. Their follows, both ways, and the pending
follow requests between them end; from then on the predicates of server/db/visibility.py hide
each from the other wherever SPEC says (B cannot find or reach A: every route about A answers
404 to B; A no longer sees B's posts, comments, reactions or notifications; group content
stays visible inside a shared group). Unblocking restores nothing by itself. Each function runs
inside the caller's transaction.
"""

from __future__ import annotations

import asyncpg

from server.db import blocks, follows, users
from server.db import notifications as notification_rows
from server.db.database import emit
from server.domain.follows import stop_following
from server.errors import NotFound, ValidationError
from server.events import BlockChanged


async def _require_user(conn: asyncpg.Connection, viewer_id: int, user_id: int) -> None:
    if viewer_id == user_id:
        raise ValidationError("You cannot block yourself.", fields={"user_id": "yourself"})
    if not await users.exists_for(conn, user_id, viewer_id):
        raise NotFound("No such user.")


async def block(conn: asyncpg.Connection, viewer_id: int, user_id: int) -> None:
    """Block someone (again: nothing more happens). B is never told."""
    await _require_user(conn, viewer_id, user_id)
    if not await blocks.insert_block(conn, viewer_id, user_id):
        return
    emit(conn, BlockChanged(viewer_id, user_id, blocked=True))
    for follower, followee in ((viewer_id, user_id), (user_id, viewer_id)):
        await stop_following(conn, follower, followee)
    for request_id in await follows.cancel_pending_between(conn, viewer_id, user_id):
        await notification_rows.delete_by_subject(conn, "follow_request_id", request_id)


async def unblock(conn: asyncpg.Connection, viewer_id: int, user_id: int) -> None:
    await _require_user(conn, viewer_id, user_id)
    if await blocks.delete_block(conn, viewer_id, user_id):
        emit(conn, BlockChanged(viewer_id, user_id, blocked=False))


async def blocked_people(
    conn: asyncpg.Connection, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await blocks.select_blocked(conn, viewer_id, before, limit)
