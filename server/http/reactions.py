"""Reactions to posts and comments (API.md, Posts and comments: Reactions)."""

from __future__ import annotations

from quart import Blueprint, request

from server.domain import reactions
from server.http import bodies
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.shapes import card_from_row, comment_from_row, post_from_row

blueprint = Blueprint("reactions", __name__, url_prefix="/api")


def _reactor_json(row) -> dict:
    return {"user": card_from_row(row), "kind": row["kind"]}


async def _kind() -> str:
    return reactions.parse_kind((await bodies.json_object()).get("kind"))


async def _reactors(read, target_id: int) -> dict:
    kind = reactions.parse_kind_filter(request.args.get("kind"))
    page = page_args()
    rows = await db().run(read, viewer_id(), target_id, kind, page.before, page.fetch)
    return paged(rows, page, _reactor_json, lambda row: row["id"])


@blueprint.put("/posts/<id:post_id>/reaction")
async def react_to_post(post_id: int):
    """Set my reaction to a post: like, love, haha, wow, sad or angry."""
    kind = await _kind()
    row = await db().transaction(reactions.react_to_post, viewer_id(), post_id, kind)
    return {"post": post_from_row(row)}


@blueprint.delete("/posts/<id:post_id>/reaction")
async def withdraw_post_reaction(post_id: int):
    """Withdraw my reaction to a post (also when there is none)."""
    await db().transaction(reactions.withdraw_post_reaction, viewer_id(), post_id)
    return "", 204


@blueprint.get("/posts/<id:post_id>/reactions")
async def post_reactors(post_id: int):
    """Who reacted to a post, and how, most recent first (`?kind=` for one kind)."""
    return await _reactors(reactions.post_reactors, post_id)


@blueprint.put("/comments/<id:comment_id>/reaction")
async def react_to_comment(comment_id: int):
    """Set my reaction to a comment."""
    kind = await _kind()
    row = await db().transaction(reactions.react_to_comment, viewer_id(), comment_id, kind)
    return {"comment": comment_from_row(row)}


@blueprint.delete("/comments/<id:comment_id>/reaction")
async def withdraw_comment_reaction(comment_id: int):
    """Withdraw my reaction to a comment (also when there is none)."""
    await db().transaction(reactions.withdraw_comment_reaction, viewer_id(), comment_id)
    return "", 204


@blueprint.get("/comments/<id:comment_id>/reactions")
async def comment_reactors(comment_id: int):
    """Who reacted to a comment, and how, most recent first (`?kind=` for one kind)."""
    return await _reactors(reactions.comment_reactors, comment_id)
