"""Follows and follow requests (API.md, Follows)."""

from __future__ import annotations

from functools import partial

from quart import Blueprint

from server.db import follows as follow_rows
from server.domain import follows
from server.http.context import db, viewer_id
from server.http.paging import page_args, paged
from server.shapes import card_from_row, iso

blueprint = Blueprint("follows", __name__, url_prefix="/api")


@blueprint.post("/users/<id:user_id>/follow")
async def follow(user_id: int):
    """Follow (a public profile) or ask to follow (a private one)."""
    state = await db().transaction(follows.follow, viewer_id(), user_id)
    return {"follow_state": state}


@blueprint.delete("/users/<id:user_id>/follow")
async def unfollow(user_id: int):
    """Unfollow, or cancel a pending request."""
    await db().transaction(follows.unfollow, viewer_id(), user_id)
    return "", 204


@blueprint.delete("/users/<id:user_id>/follower")
async def remove_follower(user_id: int):
    """Remove someone who follows me."""
    await db().transaction(follows.remove_follower, viewer_id(), user_id)
    return "", 204


@blueprint.get("/follow-requests")
async def incoming_requests():
    """Pending requests to follow me, newest first."""
    page = page_args()
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
async def accept(request_id: int):
    """Accept a request addressed to me."""
    return await _answer(request_id, True)


@blueprint.post("/follow-requests/<id:request_id>/decline")
async def decline(request_id: int):
    """Decline a request addressed to me."""
    return await _answer(request_id, False)
