"""Reactions (SPEC.md, Posts and comments: Reactions): any viewer of a post or comment reacts
with one kind, changes it or withdraws it; the author hears of it once per person and post or
comment, never of their own. Each function runs inside the caller's transaction.
"""

from __future__ import annotations

import asyncpg

from server import events
from server.db import notifications as notification_rows
from server.db import reactions
from server.db.reactions import COMMENTS, POSTS, Reacted
from server.domain.notifications import Draft, notify
from server.domain.posts import (
    emit_about_comment,
    emit_counts,
    post_facts,
    refuse_blocked,
    visible_comment,
    visible_post,
)
from server.shapes import REACTION_KINDS, reactions_json

KINDS_TEXT = ", ".join(REACTION_KINDS)


async def _set(
    conn: asyncpg.Connection, on: Reacted, target_id: int, user_id: int, kind: str | None
) -> tuple[str | None, list[int] | None]:
    """Make the person's reaction `kind` (None: withdraw it) and move the counts: the kind it
    was before, and the counts now (None when nothing changed)."""
    await reactions.lock_reacted(conn, on, target_id)
    old = await reactions.select_kind(conn, on, target_id, user_id)
    if old == kind:
        return old, None
    if kind is None:
        await reactions.delete(conn, on, target_id, user_id)
    else:
        await reactions.upsert(conn, on, target_id, user_id, kind)
    changes = reactions.count_changes(old, kind)
    return old, await reactions.add_to_counts(conn, on, target_id, changes)


async def _set_on_post(
    conn: asyncpg.Connection, viewer_id: int, post: asyncpg.Record, kind: str | None
) -> str | None:
    """The viewer's reaction to a post; its watchers hear the new counts. The kind before."""
    old, counts = await _set(conn, POSTS, post["id"], viewer_id, kind)
    if counts is not None:
        await emit_counts(conn, **post_facts(post))
    return old


async def _set_on_comment(
    conn: asyncpg.Connection, viewer_id: int, comment: asyncpg.Record, kind: str | None
) -> str | None:
    old, counts = await _set(conn, COMMENTS, comment["id"], viewer_id, kind)
    if counts is not None:
        await emit_about_comment(
            conn,
            events.CommentCounts,
            comment,
            comment_id=comment["id"],
            reactions=reactions_json(counts),
        )
    return old


async def _tell_author(
    conn: asyncpg.Connection,
    viewer_id: int,
    kind: str,
    *,
    author_id: int,
    post_id: int,
    comment_id: int | None = None,
) -> None:
    """Once per person and post or comment: a reaction changed, or withdrawn and given again,
    is not news (the caller calls only for a first reaction)."""
    if not await notification_rows.reaction_notified(
        conn, author_id, viewer_id, post_id, comment_id
    ):
        draft = Draft(
            user_id=author_id,
            kind="reaction",
            actor_id=viewer_id,
            post_id=post_id,
            comment_id=comment_id,
            reaction=kind,
        )
        await notify(conn, draft)


async def react_to_post(
    conn: asyncpg.Connection, viewer_id: int, post_id: int, kind: str
) -> asyncpg.Record:
    """Set my reaction to a post I may see; the post as I see it now."""
    post = await visible_post(conn, viewer_id, post_id)
    await refuse_blocked(conn, viewer_id, post["author_id"])
    if await _set_on_post(conn, viewer_id, post, kind) is None:
        await _tell_author(conn, viewer_id, kind, author_id=post["author_id"], post_id=post_id)
    return await visible_post(conn, viewer_id, post_id)


async def withdraw_post_reaction(conn: asyncpg.Connection, viewer_id: int, post_id: int) -> None:
    post = await visible_post(conn, viewer_id, post_id)
    await _set_on_post(conn, viewer_id, post, None)


async def react_to_comment(
    conn: asyncpg.Connection, viewer_id: int, comment_id: int, kind: str
) -> asyncpg.Record:
    comment = await visible_comment(conn, viewer_id, comment_id)
    await refuse_blocked(conn, viewer_id, comment["author_id"])
    if await _set_on_comment(conn, viewer_id, comment, kind) is None:
        await _tell_author(
            conn,
            viewer_id,
            kind,
            author_id=comment["author_id"],
            post_id=comment["post_id"],
            comment_id=comment_id,
        )
    return await visible_comment(conn, viewer_id, comment_id)


async def withdraw_comment_reaction(
    conn: asyncpg.Connection, viewer_id: int, comment_id: int
) -> None:
    comment = await visible_comment(conn, viewer_id, comment_id)
    await _set_on_comment(conn, viewer_id, comment, None)


async def post_reactors(
    conn: asyncpg.Connection,
    viewer_id: int,
    post_id: int,
    kind: str | None,
    before: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Who reacted to a post I may see (with which kind), most recent first."""
    await visible_post(conn, viewer_id, post_id)
    return await reactions.select_reactors(conn, POSTS, post_id, viewer_id, kind, before, limit)


async def comment_reactors(
    conn: asyncpg.Connection,
    viewer_id: int,
    comment_id: int,
    kind: str | None,
    before: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    await visible_comment(conn, viewer_id, comment_id)
    return await reactions.select_reactors(
        conn, COMMENTS, comment_id, viewer_id, kind, before, limit
    )
