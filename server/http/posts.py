"""Posts, comments and the feed (API.md, Posts and comments)."""

from __future__ import annotations

from quart import Blueprint

from server.db import posts as post_rows
from server.domain import editing, posts
from server.errors import Forbidden, NotFound
from server.http.context import db, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.paging import PAGING, page_of, paged
from server.http.uploads import open_upload
from server.schema import obj
from server.schema import page_of as page_schema
from server.shapes import COMMENT, POST, comment_from_row, post_from_row

blueprint = Blueprint("posts", __name__, url_prefix="/api")

POST_ANSWER = obj({"post": POST})
COMMENT_ANSWER = obj({"comment": COMMENT})
POSTS_PAGE = page_schema(POST)


@blueprint.post("/posts")
@declare(form=posts.POST_FORM, answers={201: POST_ANSWER}, errors=(Forbidden, NotFound))
async def create_post(body: dict):
    """Publish a post: text and/or one image, with its privacy (or in a group)."""
    image_data = body["image"]
    form = posts.post_form(body, has_image=image_data is not None)
    async with open_upload(image_data, field="image") as image:
        row = await db().transaction(posts.create_post, viewer_id(), form, image)
    return {"post": post_from_row(row)}, 201


@blueprint.get("/feed")
@declare(query=PAGING, answers={200: POSTS_PAGE})
async def home(query: dict):
    """Home: my posts, those of the people I follow that I may see, my groups' posts."""
    page = page_of(query)
    rows = await db().run(post_rows.select_home, viewer_id(), page.before, page.fetch)
    return paged(rows, page, post_from_row, lambda row: row["id"])


@blueprint.get("/explore")
@declare(query=PAGING, answers={200: POSTS_PAGE})
async def explore(query: dict):
    """Every public post outside groups, newest first."""
    page = page_of(query)
    rows = await db().run(post_rows.select_explore, viewer_id(), page.before, page.fetch)
    return paged(rows, page, post_from_row, lambda row: row["id"])


@blueprint.get("/posts/<id:post_id>")
@declare(answers={200: POST_ANSWER})
async def get_post(post_id: int):
    """One post, or 404 when I may not see it."""
    row = await db().run(post_rows.select_visible_post, post_id, viewer_id())
    if row is None:
        raise NotFound("No such post.")
    return {"post": post_from_row(row)}


@blueprint.patch("/posts/<id:post_id>")
@declare(json=editing.POST_CHANGES, answers={200: POST_ANSWER}, errors=(Forbidden,))
async def edit_post(post_id: int, body: dict):
    """Edit my post: its text; outside groups also its privacy and picked viewers."""
    changes = editing.PostChanges(**body)
    row = await db().transaction(editing.edit_post, viewer_id(), post_id, changes)
    return {"post": post_from_row(row)}


@blueprint.delete("/posts/<id:post_id>")
@declare(answers={204: NO_CONTENT}, errors=(Forbidden,))
async def delete_post(post_id: int):
    """Delete my post (or, as its creator, a post of my group), with its comments."""
    await db().transaction(editing.delete_post, viewer_id(), post_id)
    return "", 204


@blueprint.get("/posts/<id:post_id>/comments")
@declare(query=PAGING, answers={200: page_schema(COMMENT)})
async def list_comments(post_id: int, query: dict):
    """Comments of a post I may see, newest first."""
    page = page_of(query)
    rows = await db().run(posts.list_comments, viewer_id(), post_id, page.before, page.fetch)
    return paged(rows, page, comment_from_row, lambda row: row["id"])


@blueprint.post("/posts/<id:post_id>/comments")
@declare(form=posts.COMMENT_FORM, answers={201: COMMENT_ANSWER}, errors=(Forbidden,))
async def create_comment(post_id: int, body: dict):
    """Comment on a post I may see: text and/or one image."""
    image_data = body["image"]
    text = posts.comment_body(body["body"], has_image=image_data is not None)
    async with open_upload(image_data, field="image") as image:
        row = await db().transaction(posts.create_comment, viewer_id(), post_id, text, image)
    return {"comment": comment_from_row(row)}, 201


@blueprint.patch("/comments/<id:comment_id>")
@declare(json=editing.COMMENT_CHANGES, answers={200: COMMENT_ANSWER}, errors=(Forbidden,))
async def edit_comment(comment_id: int, body: dict):
    """Edit my comment's text."""
    text = body.get("body")
    row = await db().transaction(editing.edit_comment, viewer_id(), comment_id, text)
    return {"comment": comment_from_row(row)}


@blueprint.delete("/comments/<id:comment_id>")
@declare(answers={204: NO_CONTENT}, errors=(Forbidden,))
async def delete_comment(comment_id: int):
    """Delete a comment: mine, one on my post, or (as its creator) one in my group."""
    await db().transaction(editing.delete_comment, viewer_id(), comment_id)
    return "", 204
