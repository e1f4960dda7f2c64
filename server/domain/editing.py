"""Edit and delete (SPEC.md, Posts and comments: Edit and delete): who may change a post or a
comment, and what the change does. Each function runs inside the caller's transaction.

    edit a post          its author (text; outside groups also privacy and picked viewers)
    edit a comment       its author
    delete a post        its author; a group post also the group's creator
    delete a comment     its author, the post's author; on a group post also the group's creator

Invisible is a 404 (existence stays hidden); visible but not the viewer's to change, a 403.
A deletion takes comments, reactions and the notifications about them with it (foreign keys
cascade); its images' media rows stay behind referenced by nothing, and the media sweeper
removes them and their files.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server import events
from server.db import comments, groups, posts
from server.domain.inputs import Fields, OneOf, Text
from server.domain.posts import (
    EMPTY,
    MAX_COMMENT_LENGTH,
    MAX_POST_LENGTH,
    PRIVACIES,
    PRIVACY_CHOICES,
    VIEWER_IDS,
    check_followers,
    comment_post_facts,
    emit_about_comment,
    emit_about_post,
    emit_counts,
    live_comment,
    live_post,
    post_facts,
    visible_comment,
    visible_post,
)
from server.errors import Forbidden, ValidationError


@dataclass(frozen=True, slots=True)
class PostChanges:
    """What a PATCH asks to change; None leaves a field as it is."""

    body: str | None = None
    privacy: str | None = None
    viewer_ids: tuple[int, ...] | None = None


# PATCH /api/posts/{id}: {body?, privacy?, viewer_ids?}, every problem at once.
POST_CHANGES = Fields(
    partial=True,
    closed=True,
    body=Text(max_length=MAX_POST_LENGTH, empty=""),
    privacy=OneOf(PRIVACIES, message=PRIVACY_CHOICES, required=True),
    viewer_ids=VIEWER_IDS,
)
# PATCH /api/comments/{id}: {body?}.
COMMENT_CHANGES = Fields(
    partial=True, closed=True, body=Text(max_length=MAX_COMMENT_LENGTH, empty="")
)


async def _group_creator(conn: asyncpg.Connection, group_id: int | None, user_id: int) -> bool:
    return group_id is not None and await groups.creator_of(conn, group_id) == user_id


async def edit_post(
    conn: asyncpg.Connection, viewer_id: int, post_id: int, changes: PostChanges
) -> asyncpg.Record:
    """Change my post: its text; outside groups also its privacy and picked viewers, by the
    rules of creation (picked viewers must follow me now). The post as I see it afterwards."""
    post = await visible_post(conn, viewer_id, post_id)
    if post["author_id"] != viewer_id:
        raise Forbidden("Only the author can edit this post.")
    if post["group_id"] is not None:
        wrong = {
            name: "a group post is for the group's members"
            for name, value in (("privacy", changes.privacy), ("viewer_ids", changes.viewer_ids))
            if value is not None
        }
        if wrong:
            raise ValidationError(fields=wrong)
    body = post["body"] if changes.body is None else changes.body
    if not body and post["media_id"] is None:
        raise ValidationError(fields={"body": EMPTY})
    privacy = changes.privacy or post["privacy"]
    was_picked = (
        await posts.select_viewer_ids(conn, post_id) if post["privacy"] == "private" else []
    )
    picked: tuple[int, ...] = ()
    if privacy == "private":
        picked = changes.viewer_ids if changes.viewer_ids is not None else tuple(was_picked)
        if not picked:
            raise ValidationError(fields={"viewer_ids": "pick at least one follower"})
        if changes.viewer_ids is not None:
            await check_followers(conn, viewer_id, picked)
    if (body, privacy, set(picked)) == (post["body"], post["privacy"], set(was_picked)):
        return post
    await posts.update_post(conn, post_id, body=body, privacy=privacy, viewer_ids=list(picked))
    edited = await visible_post(conn, viewer_id, post_id)
    await emit_about_post(
        conn,
        events.PostEdited,
        post_id=post_id,
        author_id=viewer_id,
        group_id=post["group_id"],
        privacy=privacy,
        viewer_ids=picked,
        post=live_post(edited),
        was_privacy=post["privacy"],
        was_viewer_ids=tuple(was_picked),
    )
    return edited


async def delete_post(conn: asyncpg.Connection, viewer_id: int, post_id: int) -> None:
    post = await visible_post(conn, viewer_id, post_id)
    if post["author_id"] != viewer_id and not await _group_creator(
        conn, post["group_id"], viewer_id
    ):
        raise Forbidden("Only the author (or the group's creator) can delete this post.")
    await emit_about_post(conn, events.PostDeleted, **post_facts(post))
    await posts.delete_post(conn, post_id)


async def edit_comment(
    conn: asyncpg.Connection, viewer_id: int, comment_id: int, body: str | None
) -> asyncpg.Record:
    comment = await visible_comment(conn, viewer_id, comment_id)
    if comment["author_id"] != viewer_id:
        raise Forbidden("Only the author can edit this comment.")
    if body is None or body == comment["body"]:
        return comment
    if not body and comment["media_id"] is None:
        raise ValidationError(fields={"body": EMPTY})
    await comments.update_comment(conn, comment_id, body)
    edited = await visible_comment(conn, viewer_id, comment_id)
    await emit_about_comment(conn, events.CommentEdited, edited, comment=live_comment(edited))
    return edited


async def delete_comment(conn: asyncpg.Connection, viewer_id: int, comment_id: int) -> None:
    comment = await visible_comment(conn, viewer_id, comment_id)
    if viewer_id not in (
        comment["author_id"],
        comment["post_author_id"],
    ) and not await _group_creator(conn, comment["group_id"], viewer_id):
        raise Forbidden("Only the comment's author, the post's author or the group's creator.")
    await comments.delete_comment(conn, comment_id)
    await emit_about_comment(conn, events.CommentDeleted, comment, comment_id=comment_id)
    await emit_counts(conn, **comment_post_facts(comment))
