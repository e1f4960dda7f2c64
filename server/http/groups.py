"""Groups, invitations, join requests, group posts (API.md, Groups and events)."""

from __future__ import annotations

from functools import partial

from quart import Blueprint

from server.db import groups as group_rows
from server.db.profiles import like_pattern
from server.domain import groups, posts
from server.domain.inputs import Fields, Id
from server.errors import Conflict, Forbidden
from server.http.context import db, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.follows import ANSWERED
from server.http.paging import PAGING, SEARCHABLE, page_of, paged
from server.schema import BOOLEAN, ID, TIME, enum, obj
from server.schema import page_of as page_schema
from server.shapes import (
    CARD_FIELDS,
    GROUP,
    POST,
    USER_CARD,
    card_from_row,
    group_from_row,
    iso,
    post_from_row,
)

blueprint = Blueprint("groups", __name__, url_prefix="/api")


GROUP_ANSWER = obj({"group": GROUP})
MEMBER = obj({**CARD_FIELDS, "is_creator": BOOLEAN, "joined_at": TIME})
JOIN_REQUEST = obj({"id": ID, "status": enum("pending"), "user": USER_CARD, "created_at": TIME})
INVITATION = obj({"invitation": obj({"id": ID, "status": enum("pending", "accepted", "declined")})})
JOIN_REQUESTED = obj({"request": obj({"id": ID, "status": enum("pending")})})


def _by_id(row) -> int:
    return row["id"]


@blueprint.get("/groups")
@declare(query=SEARCHABLE, answers={200: page_schema(GROUP)})
async def browse(query: dict):
    """Every group (search by title), with my state in each."""
    page = page_of(query)
    rows = await db().run(
        group_rows.browse, like_pattern(query["q"]), viewer_id(), page.before, page.fetch
    )
    return paged(rows, page, group_from_row, _by_id)


@blueprint.post("/groups")
@declare(json=groups.GROUP_FORM, answers={201: GROUP_ANSWER})
async def create(body: dict):
    """Create a group; its creator is its first member."""
    title, description = body["title"], body["description"]
    row = await db().transaction(groups.create_group, viewer_id(), title, description)
    return {"group": group_from_row(row)}, 201


@blueprint.get("/groups/<id:group_id>")
@declare(answers={200: GROUP_ANSWER})
async def get_group(group_id: int):
    """A group (visible to every logged-in user)."""
    row = await db().run(groups.require_group, group_id, viewer_id())
    return {"group": group_from_row(row)}


@blueprint.get("/groups/<id:group_id>/members")
@declare(query=PAGING, answers={200: page_schema(MEMBER)})
async def members(group_id: int, query: dict):
    """The members (members only)."""
    page = page_of(query)
    rows = await db().run(groups.members, viewer_id(), group_id, page.before, page.fetch)
    return paged(
        rows,
        page,
        lambda row: {
            **card_from_row(row),
            "is_creator": row["is_creator"],
            "joined_at": iso(row["joined_at"]),
        },
        _by_id,
    )


@blueprint.post("/groups/<id:group_id>/invitations")
@declare(
    json=Fields(user_id=Id(message="a user id")),
    answers={201: INVITATION},
    errors=(Forbidden, Conflict),
)
async def invite(group_id: int, body: dict):
    """Invite someone who is not a member (members only)."""
    invitation = await db().transaction(groups.invite, viewer_id(), group_id, body["user_id"])
    return {"invitation": {"id": invitation["id"], "status": invitation["status"]}}, 201


async def _answer_invitation(invitation_id: int, accept: bool):
    answer = partial(groups.answer_invitation, accept=accept)
    answered_id, status = await db().transaction(answer, viewer_id(), invitation_id)
    return {"invitation": {"id": answered_id, "status": status}}


@blueprint.post("/group-invitations/<id:invitation_id>/accept")
@declare(answers={200: INVITATION}, errors=(Conflict,))
async def accept_invitation(invitation_id: int):
    """Accept an invitation addressed to me: I become a member."""
    return await _answer_invitation(invitation_id, True)


@blueprint.post("/group-invitations/<id:invitation_id>/decline")
@declare(answers={200: INVITATION}, errors=(Conflict,))
async def decline_invitation(invitation_id: int):
    """Decline an invitation addressed to me."""
    return await _answer_invitation(invitation_id, False)


@blueprint.post("/groups/<id:group_id>/join-requests")
@declare(answers={201: JOIN_REQUESTED}, errors=(Conflict, Forbidden))
async def request_to_join(group_id: int):
    """Ask to join a group (its creator answers)."""
    row = await db().transaction(groups.request_to_join, viewer_id(), group_id)
    return {"request": {"id": row["id"], "status": row["status"]}}, 201


@blueprint.delete("/groups/<id:group_id>/join-requests")
@declare(answers={204: NO_CONTENT})
async def cancel_join_request(group_id: int):
    """Withdraw my pending request to join (204 also when there was none)."""
    await db().transaction(groups.cancel_join_request, viewer_id(), group_id)
    return "", 204


@blueprint.get("/groups/<id:group_id>/join-requests")
@declare(query=PAGING, answers={200: page_schema(JOIN_REQUEST)}, errors=(Forbidden,))
async def join_requests(group_id: int, query: dict):
    """Pending requests to join (the creator only)."""
    page = page_of(query)
    rows = await db().run(
        groups.pending_join_requests, viewer_id(), group_id, page.before, page.fetch
    )
    return paged(
        rows,
        page,
        lambda row: {
            "id": row["id"],
            "status": row["status"],
            "user": card_from_row(row, "user_"),
            "created_at": iso(row["created_at"]),
        },
        _by_id,
    )


async def _answer_join_request(request_id: int, accept: bool):
    answer = partial(groups.answer_join_request, accept=accept)
    answered_id, status = await db().transaction(answer, viewer_id(), request_id)
    return {"request": {"id": answered_id, "status": status}}


@blueprint.post("/group-join-requests/<id:request_id>/accept")
@declare(answers={200: ANSWERED}, errors=(Forbidden, Conflict))
async def accept_join_request(request_id: int):
    """Let someone in (the creator only)."""
    return await _answer_join_request(request_id, True)


@blueprint.post("/group-join-requests/<id:request_id>/decline")
@declare(answers={200: ANSWERED}, errors=(Forbidden, Conflict))
async def decline_join_request(request_id: int):
    """Turn a request down (the creator only)."""
    return await _answer_join_request(request_id, False)


@blueprint.post("/groups/<id:group_id>/leave")
@declare(answers={204: NO_CONTENT}, errors=(Conflict,))
async def leave(group_id: int):
    """Leave a group (not its creator)."""
    await db().transaction(groups.leave, viewer_id(), group_id)
    return "", 204


@blueprint.get("/groups/<id:group_id>/posts")
@declare(query=PAGING, answers={200: page_schema(POST)})
async def group_posts(group_id: int, query: dict):
    """The group's posts, newest first (members only)."""
    page = page_of(query)
    rows = await db().run(posts.group_posts, viewer_id(), group_id, page.before, page.fetch)
    return paged(rows, page, post_from_row, _by_id)
