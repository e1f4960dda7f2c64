"""Reactions to posts and comments (API.md, Posts and comments: Reactions)."""

from __future__ import annotations

from quart import Blueprint

from server.domain import reactions
from server.domain.inputs import Fields, OneOf
from server.errors import Forbidden
from server.http.context import db, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.paging import PAGING, page_of, paged
from server.schema import enum, obj
from server.schema import page_of as page_schema
from server.shapes import (
    COMMENT,
    POST,
    REACTION_KINDS,
    USER_CARD,
    card_from_row,
    comment_from_row,
    post_from_row,
)

blueprint = Blueprint("reactions", __name__, url_prefix="/api")


KIND = OneOf(REACTION_KINDS, message=f"one of {reactions.KINDS_TEXT}", required=True)
REACTION = Fields(kind=KIND)
# `?kind=` of a who-reacted list: absent or empty for every kind.
REACTORS = PAGING.extended(kind=OneOf(REACTION_KINDS, message=f"one of {reactions.KINDS_TEXT}"))
REACTORS_PAGE = page_schema(obj({"user": USER_CARD, "kind": enum(*REACTION_KINDS)}))


def _reactor_json(row) -> dict:
    return {"user": card_from_row(row), "kind": row["kind"]}


async def _reactors(query: dict, read, target_id: int) -> dict:
    page = page_of(query)
    rows = await db().run(read, viewer_id(), target_id, query["kind"], page.before, page.fetch)
    return paged(rows, page, _reactor_json, lambda row: row["id"])


@blueprint.put("/posts/<id:post_id>/reaction")
@declare(json=REACTION, answers={200: obj({"post": POST})}, errors=(Forbidden,))
async def react_to_post(post_id: int, body: dict):
    """Set my reaction to a post: like, love, haha, wow, sad or angry."""
    row = await db().transaction(reactions.react_to_post, viewer_id(), post_id, body["kind"])
    return {"post": post_from_row(row)}


@blueprint.delete("/posts/<id:post_id>/reaction")
@declare(answers={204: NO_CONTENT}, errors=(Forbidden,))
async def withdraw_post_reaction(post_id: int):
    """Withdraw my reaction to a post (also when there is none)."""
    await db().transaction(reactions.withdraw_post_reaction, viewer_id(), post_id)
    return "", 204


@blueprint.get("/posts/<id:post_id>/reactions")
@declare(query=REACTORS, answers={200: REACTORS_PAGE})
async def post_reactors(post_id: int, query: dict):
    """Who reacted to a post, and how, most recent first (`?kind=` for one kind)."""
    return await _reactors(query, reactions.post_reactors, post_id)


@blueprint.put("/comments/<id:comment_id>/reaction")
@declare(json=REACTION, answers={200: obj({"comment": COMMENT})}, errors=(Forbidden,))
async def react_to_comment(comment_id: int, body: dict):
    """Set my reaction to a comment."""
    kind = body["kind"]
    row = await db().transaction(reactions.react_to_comment, viewer_id(), comment_id, kind)
    return {"comment": comment_from_row(row)}


@blueprint.delete("/comments/<id:comment_id>/reaction")
@declare(answers={204: NO_CONTENT}, errors=(Forbidden,))
async def withdraw_comment_reaction(comment_id: int):
    """Withdraw my reaction to a comment (also when there is none)."""
    await db().transaction(reactions.withdraw_comment_reaction, viewer_id(), comment_id)
    return "", 204


@blueprint.get("/comments/<id:comment_id>/reactions")
@declare(query=REACTORS, answers={200: REACTORS_PAGE})
async def comment_reactors(comment_id: int, query: dict):
    """Who reacted to a comment, and how, most recent first (`?kind=` for one kind)."""
    return await _reactors(query, reactions.comment_reactors, comment_id)
