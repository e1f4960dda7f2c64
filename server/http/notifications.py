"""The bell (API.md, Notifications)."""

from __future__ import annotations

from quart import Blueprint

from server.db import notifications as rows
from server.domain.inputs import Boolean
from server.errors import NotFound
from server.http.context import db, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.paging import PAGING, page_of, paged
from server.schema import COUNT, obj
from server.schema import page_of as page_schema
from server.shapes import NOTIFICATION, notification_json

blueprint = Blueprint("notifications", __name__, url_prefix="/api/notifications")


@blueprint.get("")
@declare(
    query=PAGING.extended(unread=Boolean(default=False)),
    answers={200: page_schema(NOTIFICATION)},
)
async def list_notifications(query: dict):
    """My notifications, newest first (`unread=true` for unread ones only)."""
    page = page_of(query)
    found = await db().run(rows.select_list, viewer_id(), query["unread"], page.before, page.fetch)
    return paged(found, page, notification_json, lambda row: row["id"])


@blueprint.get("/unread-count")
@declare(answers={200: obj({"count": COUNT})})
async def unread_count():
    """How many of my notifications are unread."""
    user = viewer_id()
    counts = await db().run(rows.unread_counts, [user])
    return {"count": counts[user]}


@blueprint.post("/<id:notification_id>/read")
@declare(answers={204: NO_CONTENT})
async def mark_read(notification_id: int):
    """Mark one of my notifications read."""
    if not await db().transaction(rows.mark_read, viewer_id(), notification_id):
        raise NotFound("No such notification.")
    return "", 204


@blueprint.post("/read-all")
@declare(answers={204: NO_CONTENT})
async def mark_all_read():
    """Mark all my notifications read."""
    await db().transaction(rows.mark_all_read, viewer_id())
    return "", 204
