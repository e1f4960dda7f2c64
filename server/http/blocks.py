"""Blocks (API.md, Blocks)."""

from __future__ import annotations

from quart import Blueprint

from server.domain import blocks
from server.errors import ValidationError
from server.http.context import db, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.paging import PAGING, page_of, paged
from server.schema import page_of as page_schema
from server.shapes import USER_CARD, card_from_row

blueprint = Blueprint("blocks", __name__, url_prefix="/api")


@blueprint.post("/users/<id:user_id>/block")
@declare(answers={204: NO_CONTENT}, errors=(ValidationError,))
async def block(user_id: int):
    """Block someone: they can no longer find or reach me, and I no longer see them."""
    await db().transaction(blocks.block, viewer_id(), user_id)
    return "", 204


@blueprint.delete("/users/<id:user_id>/block")
@declare(answers={204: NO_CONTENT})
async def unblock(user_id: int):
    """Unblock someone (follows and requests that the block ended stay ended)."""
    await db().transaction(blocks.unblock, viewer_id(), user_id)
    return "", 204


@blueprint.get("/blocks")
@declare(query=PAGING, answers={200: page_schema(USER_CARD)})
async def blocked_people(query: dict):
    """The people I blocked, most recent first."""
    page = page_of(query)
    rows = await db().run(blocks.blocked_people, viewer_id(), page.before, page.fetch)
    return paged(rows, page, card_from_row, lambda row: row["id"])
