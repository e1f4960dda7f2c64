"""Group events and answers (API.md, Groups and events)."""

from __future__ import annotations

from quart import Blueprint

from server.domain import events
from server.domain.inputs import Fields, OneOf
from server.errors import Forbidden
from server.http.context import db, viewer_id
from server.http.contract import declare
from server.http.paging import PAGING, page_of, paged
from server.schema import enum, items_of, obj
from server.schema import page_of as page_schema
from server.shapes import EVENT, EVENT_RESPONSES, USER_CARD, card_from_row, event_from_row

blueprint = Blueprint("events", __name__, url_prefix="/api")


EVENT_ANSWER = obj({"event": EVENT})
RESPONSE = Fields(response=OneOf(EVENT_RESPONSES, message="going or not_going", required=True))


@blueprint.get("/groups/<id:group_id>/events")
@declare(query=PAGING, answers={200: page_schema(EVENT)})
async def list_events(group_id: int, query: dict):
    """The group's events, newest first (members only)."""
    page = page_of(query)
    rows = await db().run(events.list_events, viewer_id(), group_id, page.before, page.fetch)
    return paged(rows, page, event_from_row, lambda row: row["id"])


@blueprint.post("/groups/<id:group_id>/events")
@declare(json=events.EVENT_FORM, answers={201: EVENT_ANSWER}, errors=(Forbidden,))
async def create_event(group_id: int, body: dict):
    """Create an event in the future; every other member is notified (members only)."""
    fields = body["title"], body["description"], body["starts_at"]
    row = await db().transaction(events.create_event, viewer_id(), group_id, fields)
    return {"event": event_from_row(row)}, 201


@blueprint.get("/events/<id:event_id>")
@declare(answers={200: EVENT_ANSWER})
async def get_event(event_id: int):
    """One event (members of its group only)."""
    row = await db().run(events.get_event, viewer_id(), event_id)
    return {"event": event_from_row(row)}


@blueprint.put("/events/<id:event_id>/response")
@declare(json=RESPONSE, answers={200: EVENT_ANSWER})
async def respond(event_id: int, body: dict):
    """Answer going or not_going; answering again changes the answer."""
    row = await db().transaction(events.respond, viewer_id(), event_id, body["response"])
    return {"event": event_from_row(row)}


@blueprint.get("/events/<id:event_id>/responses")
@declare(answers={200: items_of(obj({"user": USER_CARD, "response": enum(*EVENT_RESPONSES)}))})
async def responses(event_id: int):
    """Who answered what."""
    rows = await db().run(events.responses, viewer_id(), event_id)
    return {"items": [{"user": card_from_row(row), "response": row["response"]} for row in rows]}
