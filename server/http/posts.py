"""Posts, comments and the feed (API.md, Posts and comments)."""

from __future__ import annotations

from quart import Blueprint

from server.db import posts as post_rows
from server.domain import editing, posts
from server.errors import NotFound
from server.http import bodies
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.http.uploads import open_upload
from server.shapes import comment_from_row, post_from_row

blueprint = Blueprint("posts", __name__, url_prefix="/api")


@blueprint.post("/posts")
async def create_post():
    """Publish a post: text and/or one image, with its privacy (or in a group)."""
    fields = await bodies.form_fields()
    viewer_ids = await bodies.form_list("viewer_ids")
    image_data = await bodies.optional_file("image")
    form = posts.parse_post_form(fields, viewer_ids, has_image=image_data is not None)
    async with open_upload(image_data, field="image") as image:
        row = await db().transaction(posts.create_post, viewer_id(), form, image)
    return {"post": post_from_row(row)}, 201


@blueprint.get("/feed")
async def home():
    """Home: my posts, those of the people I follow that I may see, my groups' posts."""
    page = page_args()
    rows = await db().run(post_rows.select_home, viewer_id(), page.before, page.fetch)
    return paged(rows, page, post_from_row, lambda row: row["id"])


@blueprint.get("/explore")
async def explore():
    """Every public post outside groups, newest first."""
    page = page_args()
    rows = await db().run(post_rows.select_explore, viewer_id(), page.before, page.fetch)
    return paged(rows, page, post_from_row, lambda row: row["id"])


@blueprint.get("/posts/<id:post_id>")
async def get_post(post_id: int):
    """One post, or 404 when I may not see it."""
    row = await db().run(post_rows.select_visible_post, post_id, viewer_id())
    if row is None:
        raise NotFound("No such post.")
    return {"post": post_from_row(row)}


@blueprint.patch("/posts/<id:post_id>")
async def edit_post(post_id: int):
    """Edit my post: its text; outside groups also its privacy and picked viewers."""
    changes = editing.parse_post_changes(await bodies.json_object())
    row = await db().transaction(editing.edit_post, viewer_id(), post_id, changes)
    return {"post": post_from_row(row)}


@blueprint.delete("/posts/<id:post_id>")
async def delete_post(post_id: int):
    """Delete my post (or, as its creator, a post of my group), with its comments."""
    await db().transaction(editing.delete_post, viewer_id(), post_id)
    return "", 204


@blueprint.get("/posts/<id:post_id>/comments")
async def list_comments(post_id: int):
    """Comments of a post I may see, newest first."""
    page = page_args()
    rows = await db().run(posts.list_comments, viewer_id(), post_id, page.before, page.fetch)
    return paged(rows, page, comment_from_row, lambda row: row["id"])


@blueprint.post("/posts/<id:post_id>/comments")
async def create_comment(post_id: int):
    """Comment on a post I may see: text and/or one image."""
    fields = await bodies.form_fields()
    image_data = await bodies.optional_file("image")
    body = posts.parse_comment_body(fields.get("body"), has_image=image_data is not None)
    async with open_upload(image_data, field="image") as image:
        row = await db().transaction(posts.create_comment, viewer_id(), post_id, body, image)
    return {"comment": comment_from_row(row)}, 201


@blueprint.patch("/comments/<id:comment_id>")
async def edit_comment(comment_id: int):
    """Edit my comment's text."""
    body = editing.parse_comment_changes(await bodies.json_object())
    row = await db().transaction(editing.edit_comment, viewer_id(), comment_id, body)
    return {"comment": comment_from_row(row)}


@blueprint.delete("/comments/<id:comment_id>")
async def delete_comment(comment_id: int):
    """Delete a comment: mine, one on my post, or (as its creator) one in my group."""
    await db().transaction(editing.delete_comment, viewer_id(), comment_id)
    return "", 204
