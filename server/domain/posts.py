"""Posts and comments (SPEC.md, Posts and comments), inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server import events
from server.db import blocks, comments, follows, media, posts, users
from server.db.database import emit
from server.domain.groups import require_member
from server.domain.inputs import Fields, Id, IdList, OneOf, Text, Upload
from server.domain.notifications import Draft, notify
from server.errors import Forbidden, NotFound, ValidationError
from server.media import StoredImage
from server.shapes import comment_from_row, post_from_row, reactions_json, without_my_reaction

MAX_POST_LENGTH = 5000
MAX_COMMENT_LENGTH = 2000
PRIVACIES = ("public", "almost_private", "private")
MAX_PICKED_VIEWERS = 1000


@dataclass(frozen=True, slots=True)
class PostForm:
    body: str
    privacy: str | None  # None: the default for the author's profile
    viewer_ids: tuple[int, ...]
    group_id: int | None


PRIVACY_CHOICES = "public, almost_private or private"
EMPTY = "write something or add an image"
VIEWER_IDS = IdList(
    max_items=MAX_PICKED_VIEWERS,
    message="must be user ids",
    too_many=f"at most {MAX_PICKED_VIEWERS} people",
    not_a_list="a list of user ids",
)

# POST /api/posts (multipart). `viewer_ids` repeated or comma-separated.
POST_FORM = Fields(
    body=Text(max_length=MAX_POST_LENGTH, empty=""),
    privacy=OneOf(PRIVACIES, message=PRIVACY_CHOICES),
    viewer_ids=VIEWER_IDS,
    group_id=Id(message="a group id", required=False),
    image=Upload(),
)
# POST /api/posts/{id}/comments (multipart).
COMMENT_FORM = Fields(body=Text(max_length=MAX_COMMENT_LENGTH, empty=""), image=Upload())


def post_form(form: dict, *, has_image: bool) -> PostForm:
    """A post as POST_FORM read it: text or an image; a private post outside groups picks
    at least one viewer."""
    if not form["body"] and not has_image:
        raise ValidationError(fields={"body": EMPTY})
    group_id = form["group_id"]
    if group_id is None and form["privacy"] == "private" and not form["viewer_ids"]:
        raise ValidationError(fields={"viewer_ids": "pick at least one follower"})
    return PostForm(
        body=form["body"],
        privacy=form["privacy"],
        viewer_ids=form["viewer_ids"],
        group_id=group_id,
    )


def comment_body(body: str, *, has_image: bool) -> str:
    if not body and not has_image:
        raise ValidationError(fields={"body": EMPTY})
    return body


async def _check_group_member(conn: asyncpg.Connection, group_id: int, user_id: int) -> None:
    refusal = Forbidden("Only members can post in this group.")
    await require_member(conn, group_id, user_id, write=True, refusal=refusal)


async def check_followers(conn: asyncpg.Connection, author_id: int, picked: tuple[int, ...]):
    """Each picked viewer of a private post must follow its author (at creation, at an edit
    that picks them)."""
    strangers = set(picked) - await follows.followers_among(conn, author_id, list(picked))
    if strangers:
        listed = ", ".join(str(user) for user in sorted(strangers))
        raise ValidationError(fields={"viewer_ids": f"not among your followers: {listed}"})


async def emit_about_post(
    conn: asyncpg.Connection,
    event_type: type[events.PostEvent],
    *,
    post_id: int,
    author_id: int,
    group_id: int | None,
    privacy: str,
    viewer_ids: tuple[int, ...] | None = None,
    **fields: object,
) -> None:
    """Publish an event about a post with the facts that decide who hears of it (its picked
    viewers read when the caller does not know them)."""
    if viewer_ids is None:
        private = group_id is None and privacy == "private"
        viewer_ids = tuple(await posts.select_viewer_ids(conn, post_id)) if private else ()
    emit(conn, event_type(post_id, author_id, group_id, privacy, viewer_ids, **fields))


async def emit_counts(
    conn: asyncpg.Connection, *, post_id: int, author_id: int, group_id: int | None, privacy: str
) -> None:
    """A post's counts changed (a comment came or went, a reaction moved): its watchers hear
    the counts now."""
    counts = await posts.select_counts(conn, post_id)
    await emit_about_post(
        conn,
        events.PostCounts,
        post_id=post_id,
        author_id=author_id,
        group_id=group_id,
        privacy=privacy,
        comments_count=counts["comments_count"],
        reactions=reactions_json(counts["reaction_counts"]),
    )


def post_facts(post: asyncpg.Record) -> dict:
    """The facts of a post's row (server.db.posts.post_columns) that emit_counts takes."""
    return {
        "post_id": post["id"],
        "author_id": post["author_id"],
        "group_id": post["group_id"],
        "privacy": post["privacy"],
    }


def comment_post_facts(comment: asyncpg.Record) -> dict:
    """The same of a comment's post (server.db.comments.select_visible_comment)."""
    return {
        "post_id": comment["post_id"],
        "author_id": comment["post_author_id"],
        "group_id": comment["group_id"],
        "privacy": comment["privacy"],
    }


async def emit_about_comment(
    conn: asyncpg.Connection,
    event_type: type[events.PostEvent],
    row: asyncpg.Record,
    /,
    **fields: object,
) -> None:
    """An event about a comment; `row` is its row from comments.select_visible_comment."""
    await emit_about_post(
        conn,
        event_type,
        **comment_post_facts(row),
        comment_author_id=row["author_id"],
        **fields,
    )


def live_post(row: asyncpg.Record) -> dict:
    return without_my_reaction(post_from_row(row))


def live_comment(row: asyncpg.Record) -> dict:
    return without_my_reaction(comment_from_row(row))


async def _image_id(conn: asyncpg.Connection, owner_id: int, image: StoredImage | None):
    return None if image is None else (await media.insert_image(conn, owner_id, image)).id


async def create_post(
    conn: asyncpg.Connection, author_id: int, form: PostForm, image: StoredImage | None
) -> asyncpg.Record:
    """Check the rules, store the post; its `<post>` row."""
    privacy, picked = form.privacy, form.viewer_ids
    author_public = await users.is_public(conn, author_id)
    if form.group_id is not None:
        # Group posts are for the group's members: privacy and picked viewers do not apply.
        await _check_group_member(conn, form.group_id, author_id)
        privacy, picked = "public", ()
    elif privacy is None:
        privacy = "public" if author_public else "almost_private"
    if privacy == "private":
        await check_followers(conn, author_id, picked)
    else:
        picked = ()
    post_id = await posts.insert_post(
        conn,
        author_id=author_id,
        group_id=form.group_id,
        body=form.body,
        media_id=await _image_id(conn, author_id, image),
        privacy=privacy,
        viewer_ids=list(picked),
    )
    post = await posts.select_visible_post(conn, post_id, author_id)
    await emit_about_post(
        conn,
        events.PostPublished,
        post_id=post_id,
        author_id=author_id,
        group_id=form.group_id,
        privacy=privacy,
        viewer_ids=tuple(picked),
        post=live_post(post),
        author_public=author_public,
    )
    return post


async def visible_post(conn: asyncpg.Connection, viewer_id: int, post_id: int) -> asyncpg.Record:
    """The post as the viewer sees it; 404 when they may not (its existence stays hidden)."""
    post = await posts.select_visible_post(conn, post_id, viewer_id)
    if post is None:
        raise NotFound("No such post.")
    return post


async def visible_comment(
    conn: asyncpg.Connection, viewer_id: int, comment_id: int
) -> asyncpg.Record:
    comment = await comments.select_visible_comment(conn, comment_id, viewer_id)
    if comment is None:
        raise NotFound("No such comment.")
    return comment


async def refuse_blocked(conn: asyncpg.Connection, viewer_id: int, author_id: int) -> None:
    """Nobody comments on, or reacts to, the post or comment of someone in a block with them
    (SPEC.md, Blocks). Outside groups such content is invisible to them (a 404 already); inside
    a shared group they see it, and may not answer it."""
    if await blocks.between(conn, viewer_id, author_id):
        raise Forbidden("You cannot answer this person.")


async def create_comment(
    conn: asyncpg.Connection, author_id: int, post_id: int, body: str, image: StoredImage | None
) -> asyncpg.Record:
    post = await visible_post(conn, author_id, post_id)
    await refuse_blocked(conn, author_id, post["author_id"])
    media_id = await _image_id(conn, author_id, image)
    comment_id = await comments.insert_comment(
        conn, post_id=post_id, author_id=author_id, body=body, media_id=media_id
    )
    await notify(
        conn,
        Draft(
            user_id=post["author_id"],
            kind="post_comment",
            actor_id=author_id,
            post_id=post_id,
            comment_id=comment_id,
        ),
    )
    comment = await comments.select_visible_comment(conn, comment_id, author_id)
    await emit_about_comment(conn, events.CommentPublished, comment, comment=live_comment(comment))
    await emit_counts(conn, **post_facts(post))
    return comment


async def list_comments(
    conn: asyncpg.Connection, viewer_id: int, post_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    await visible_post(conn, viewer_id, post_id)
    return await comments.select_post_comments(conn, post_id, viewer_id, before, limit)


async def group_posts(
    conn: asyncpg.Connection, viewer_id: int, group_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    await require_member(conn, group_id, viewer_id, write=False)
    return await posts.select_group_posts(conn, group_id, viewer_id, before, limit)
