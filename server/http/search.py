"""Search (API.md, Search)."""

from __future__ import annotations

from quart import Blueprint

from server.db import search as search_rows
from server.domain.search import SEARCH
from server.http.context import db, viewer_id
from server.http.contract import declare
from server.http.paging import PAGING, page_of, paged
from server.schema import any_of
from server.schema import page_of as page_schema
from server.shapes import GROUP, PERSON, POST, group_from_row, person_from_row, post_from_row

blueprint = Blueprint("search", __name__, url_prefix="/api")

SHAPES = {"people": person_from_row, "groups": group_from_row, "posts": post_from_row}


@blueprint.get("/search")
@declare(
    query=PAGING.extended(**SEARCH.fields), answers={200: page_schema(any_of(PERSON, GROUP, POST))}
)
async def search(query: dict):
    """People, groups or posts matching `q` (full text, word prefixes), newest first."""
    text, kind = query["q"], query["type"]
    page = page_of(query)
    rows = await db().run(search_rows.search, kind, text, viewer_id(), page.before, page.fetch)
    return paged(rows, page, SHAPES[kind], lambda row: row["id"])
