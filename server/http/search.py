"""Search (API.md, Search)."""

from __future__ import annotations

from quart import Blueprint, request

from server.db import search as search_rows
from server.domain.search import parse_search
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.shapes import group_from_row, person_from_row, post_from_row

blueprint = Blueprint("search", __name__, url_prefix="/api")

SHAPES = {"people": person_from_row, "groups": group_from_row, "posts": post_from_row}


@blueprint.get("/search")
async def search():
    """People, groups or posts matching `q` (full text, word prefixes), newest first."""
    text, kind = parse_search(request.args.get("q"), request.args.get("type"))
    page = page_args()
    rows = await db().run(search_rows.search, kind, text, viewer_id(), page.before, page.fetch)
    return paged(rows, page, SHAPES[kind], lambda row: row["id"])
