"""Follows and follow requests (API.md, Follows)."""

from __future__ import annotations

from functools import partial

from quart import Blueprint

from server.db import follows as follow_rows
from server.domain import follows
from server.errors import Conflict, ValidationError
from server.http.context import db, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.paging import PAGING, page_of, paged
from server.schema import ID, TIME, enum, obj
from server.schema import page_of as page_schema
from server.shapes import USER_CARD, card_from_row, iso

blueprint = Blueprint("follows", __name__, url_prefix="/api")

FOLLOW_REQUEST = obj({"id": ID, "from": USER_CARD, "created_at": TIME})
# A request answered: {"request": {id, status}} (follow requests and group join requests).
ANSWERED = obj({"request": obj({"id": ID, "status": enum("accepted", "declined")})})


@blueprint.post("/users/<id:user_id>/follow")
@declare(
    answers={200: obj({"follow_state": enum("following", "requested")})},
    errors=(Conflict, ValidationError),
)
async def follow(user_id: int):
    """Follow (a public profile) or ask to follow (a private one)."""
    state = await db().transaction(follows.follow, viewer_id(), user_id)
    return {"follow_state": state}


@blueprint.delete("/users/<id:user_id>/follow")
@declare(answers={204: NO_CONTENT})
async def unfollow(user_id: int):
    """Unfollow, or cancel a pending request."""
    await db().transaction(follows.unfollow, viewer_id(), user_id)
    return "", 204


@blueprint.delete("/users/<id:user_id>/follower")
@declare(answers={204: NO_CONTENT})
async def remove_follower(user_id: int):
    """Remove someone who follows me."""
    await db().transaction(follows.remove_follower, viewer_id(), user_id)
    return "", 204


@blueprint.get("/follow-requests")
@declare(query=PAGING, answers={200: page_schema(FOLLOW_REQUEST)})
async def incoming_requests(query: dict):
    """Pending requests to follow me, newest first."""
    page = page_of(query)
    rows = await db().run(
        follow_rows.select_incoming_requests, viewer_id(), page.before, page.fetch
    )
    return paged(
        rows,
        page,
        lambda row: {
            "id": row["id"],
            "from": card_from_row(row, "user_"),
            "created_at": iso(row["created_at"]),
        },
        lambda row: row["id"],
    )


async def _answer(request_id: int, accept: bool):
    answer = partial(follows.answer_request, accept=accept)
    answered_id, status = await db().transaction(answer, viewer_id(), request_id)
    return {"request": {"id": answered_id, "status": status}}


@blueprint.post("/follow-requests/<id:request_id>/accept")
@declare(answers={200: ANSWERED}, errors=(Conflict,))
async def accept(request_id: int):
    """Accept a request addressed to me."""
    return await _answer(request_id, True)


@blueprint.post("/follow-requests/<id:request_id>/decline")
@declare(answers={200: ANSWERED}, errors=(Conflict,))
async def decline(request_id: int):
    """Decline a request addressed to me."""
    return await _answer(request_id, False)
