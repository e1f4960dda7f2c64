"""Group events and answers (API.md, Groups and events)."""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint

from server.domain import events
from server.http import bodies
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.shapes import card_from_row, event_from_row

blueprint = Blueprint("events", __name__, url_prefix="/api")


@blueprint.get("/groups/<id:group_id>/events")
async def list_events(group_id: int):
    """The group's events, newest first (members only)."""
    page = page_args()
    rows = await db().run(events.list_events, viewer_id(), group_id, page.before, page.fetch)
    return paged(rows, page, event_from_row, lambda row: row["id"])


@blueprint.post("/groups/<id:group_id>/events")
async def create_event(group_id: int):
    """Create an event in the future; every other member is notified (members only)."""
    fields = events.parse_event(await bodies.json_object(), now=datetime.now(UTC))
    row = await db().transaction(events.create_event, viewer_id(), group_id, fields)
    return {"event": event_from_row(row)}, 201


@blueprint.get("/events/<id:event_id>")
async def get_event(event_id: int):
    """One event (members of its group only)."""
    row = await db().run(events.get_event, viewer_id(), event_id)
    return {"event": event_from_row(row)}


@blueprint.put("/events/<id:event_id>/response")
async def respond(event_id: int):
    """Answer going or not_going; answering again changes the answer."""
    body = await bodies.json_object()
    row = await db().transaction(events.respond, viewer_id(), event_id, body.get("response"))
    return {"event": event_from_row(row)}


@blueprint.get("/events/<id:event_id>/responses")
async def responses(event_id: int):
    """Who answered what."""
    rows = await db().run(events.responses, viewer_id(), event_id)
    return {"items": [{"user": card_from_row(row), "response": row["response"]} for row in rows]}
