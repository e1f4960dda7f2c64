"""Blocks (API.md, Blocks)."""

from __future__ import annotations

from quart import Blueprint

from server.domain import blocks
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.shapes import card_from_row

blueprint = Blueprint("blocks", __name__, url_prefix="/api")


@blueprint.post("/users/<id:user_id>/block")
async def block(user_id: int):
    """Block someone: they can no longer find or reach me, and I no longer see them."""
    await db().transaction(blocks.block, viewer_id(), user_id)
    return "", 204


@blueprint.delete("/users/<id:user_id>/block")
async def unblock(user_id: int):
    """Unblock someone (follows and requests that the block ended stay ended)."""
    await db().transaction(blocks.unblock, viewer_id(), user_id)
    return "", 204


@blueprint.get("/blocks")
async def blocked_people():
    """The people I blocked, most recent first."""
    page = page_args()
    rows = await db().run(blocks.blocked_people, viewer_id(), page.before, page.fetch)
    return paged(rows, page, card_from_row, lambda row: row["id"])
