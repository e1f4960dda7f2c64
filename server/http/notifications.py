"""The bell (API.md, Notifications)."""

from __future__ import annotations

from quart import Blueprint, request

from server.db import notifications as rows
from server.domain.accounts import parse_bool
from server.errors import NotFound
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.shapes import notification_json

blueprint = Blueprint("notifications", __name__, url_prefix="/api/notifications")


@blueprint.get("")
async def list_notifications():
    """My notifications, newest first (`unread=true` for unread ones only)."""
    unread_only = parse_bool(request.args.get("unread"), field="unread", default=False)
    page = page_args()
    found = await db().run(rows.select_list, viewer_id(), unread_only, page.before, page.fetch)
    return paged(found, page, notification_json, lambda row: row["id"])


@blueprint.get("/unread-count")
async def unread_count():
    """How many of my notifications are unread."""
    user = viewer_id()
    counts = await db().run(rows.unread_counts, [user])
    return {"count": counts[user]}


@blueprint.post("/<id:notification_id>/read")
async def mark_read(notification_id: int):
    """Mark one of my notifications read."""
    if not await db().transaction(rows.mark_read, viewer_id(), notification_id):
        raise NotFound("No such notification.")
    return "", 204


@blueprint.post("/read-all")
async def mark_all_read():
    """Mark all my notifications read."""
    await db().transaction(rows.mark_all_read, viewer_id())
    return "", 204
