"""Group events (SPEC.md, Groups): members create them (in the future) and answer going or
not going, and may change their answer. Events are member-only content."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from server.db import events, groups
from server.db.database import emit
from server.domain.groups import require_member
from server.domain.inputs import Check, Fields, Text
from server.domain.notifications import Draft, notify
from server.errors import NotFound, ValidationError
from server.events import EventAnswered

MAX_TITLE_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000
RESPONSES = ("going", "not_going")


def parse_starts_at(value: object, *, now: datetime) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(fields={"starts_at": "a day and time is required"})
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(fields={"starts_at": "an ISO 8601 date and time"}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a time without a zone is read as UTC
    if moment <= now:
        raise ValidationError(fields={"starts_at": "must be in the future"})
    if moment.year > now.year + 100:
        raise ValidationError(fields={"starts_at": "too far in the future"})
    return moment


def _starts_at_from_now(value: object) -> datetime:
    return parse_starts_at(value, now=datetime.now(UTC))


# POST /api/groups/{id}/events: {title, description, starts_at}, every problem at once.
EVENT_FORM = Fields(
    title=Text(max_length=MAX_TITLE_LENGTH, required=True),
    description=Text(max_length=MAX_DESCRIPTION_LENGTH, required=True),
    starts_at=Check(
        _starts_at_from_now,
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 (UTC when no zone), in the future",
        },
    ),
)


async def create_event(
    conn: asyncpg.Connection, viewer_id: int, group_id: int, fields: tuple[str, str, datetime]
):
    await require_member(conn, group_id, viewer_id, write=True)
    title, description, starts_at = fields
    event_id = await events.insert_event(
        conn,
        group_id=group_id,
        creator_id=viewer_id,
        title=title,
        description=description,
        starts_at=starts_at,
    )
    members = await groups.member_ids(conn, group_id)
    await notify(
        conn,
        *(
            Draft(
                user_id=member,
                kind="group_event",
                actor_id=viewer_id,
                group_id=group_id,
                event_id=event_id,
            )
            for member in members
        ),
    )
    return await events.select_event(conn, event_id, viewer_id)


async def list_events(
    conn: asyncpg.Connection, viewer_id: int, group_id: int, before: int | None, limit: int
):
    await require_member(conn, group_id, viewer_id, write=False)
    return await events.select_group_events(conn, group_id, viewer_id, before, limit)


async def _visible_event(conn: asyncpg.Connection, viewer_id: int, event_id: int):
    event = await events.select_event(conn, event_id, viewer_id)
    if event is None:
        raise NotFound("No such event.")
    try:
        await require_member(conn, event["group_id"], viewer_id, write=False)
    except NotFound:
        raise NotFound("No such event.") from None
    return event


async def get_event(conn: asyncpg.Connection, viewer_id: int, event_id: int):
    return await _visible_event(conn, viewer_id, event_id)


async def respond(conn: asyncpg.Connection, viewer_id: int, event_id: int, response: object):
    if response not in RESPONSES:
        raise ValidationError(fields={"response": "going or not_going"})
    await _visible_event(conn, viewer_id, event_id)
    await events.upsert_response(conn, event_id, viewer_id, response)
    event = await events.select_event(conn, event_id, viewer_id)
    # The counts after the answer, live to the group's members (beyond API.md): the events
    # they have open show who is coming without a reload.
    counts = {
        "id": event["id"],
        "group_id": event["group_id"],
        "going_count": event["going_count"],
        "not_going_count": event["not_going_count"],
    }
    emit(conn, EventAnswered(event["group_id"], counts, viewer_id, response))
    return event


async def responses(conn: asyncpg.Connection, viewer_id: int, event_id: int):
    await _visible_event(conn, viewer_id, event_id)
    return await events.select_responses(conn, event_id)
