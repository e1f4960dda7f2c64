"""The follow state machine (SPEC.md, Followers), each step inside the caller's transaction.

    none --follow(public)--> following            notifies new_follower
    none --follow(private)--> requested           notifies follow_request
    requested --accept--> following               notifies follow_accepted
    requested --decline | cancel--> none
    following --unfollow | remove follower--> none

Repeating an act answers as the first time did (API.md): following twice is still following.
"""

from __future__ import annotations

import asyncpg

from server.db import blocks, follows, users
from server.db import notifications as notification_rows
from server.db.database import emit
from server.domain.answers import needs_answer, status_for
from server.domain.notifications import Draft, notify, push_updates
from server.errors import Conflict, NotFound, ValidationError
from server.events import FollowChanged


async def start_following(conn: asyncpg.Connection, follower_id: int, followee_id: int) -> bool:
    """Store an accepted follow; True when it is new (the routers hear of it: what their
    watching users may see changes)."""
    if not await follows.insert_follow(conn, follower_id, followee_id):
        return False
    emit(conn, FollowChanged(follower_id, followee_id, following=True))
    return True


async def stop_following(conn: asyncpg.Connection, follower_id: int, followee_id: int) -> bool:
    if not await follows.delete_follow(conn, follower_id, followee_id):
        return False
    emit(conn, FollowChanged(follower_id, followee_id, following=False))
    return True


async def _target_is_public(conn: asyncpg.Connection, user_id: int, viewer_id: int) -> bool:
    """404 for no such user, as for one who blocked the viewer."""
    is_public = await users.is_public_for(conn, user_id, viewer_id)
    if is_public is None:
        raise NotFound("No such user.")
    return is_public


async def follow(conn: asyncpg.Connection, viewer_id: int, target_id: int) -> str:
    """Follow a public profile at once, or ask a private one. Returns the new follow_state."""
    if viewer_id == target_id:
        raise ValidationError("You cannot follow yourself.", fields={"user_id": "yourself"})
    is_public = await _target_is_public(conn, target_id, viewer_id)
    if await blocks.between(conn, viewer_id, target_id):
        raise Conflict("You blocked this person: unblock them first.")
    if await follows.is_following(conn, viewer_id, target_id):
        return "following"
    if is_public:
        if await start_following(conn, viewer_id, target_id):
            await notify(conn, Draft(user_id=target_id, kind="new_follower", actor_id=viewer_id))
        return "following"
    if await follows.select_pending_request(conn, viewer_id, target_id) is None:
        request = await follows.insert_request(conn, viewer_id, target_id)
        if request is not None:
            await notify(
                conn,
                Draft(
                    user_id=target_id,
                    kind="follow_request",
                    actor_id=viewer_id,
                    follow_request_id=request.id,
                ),
            )
    return "requested"


async def unfollow(conn: asyncpg.Connection, viewer_id: int, target_id: int) -> None:
    """Stop following, or withdraw a pending request (its notification disappears too)."""
    await _target_is_public(conn, target_id, viewer_id)
    if await stop_following(conn, viewer_id, target_id):
        return
    request = await follows.select_pending_request(conn, viewer_id, target_id)
    if request is not None:
        await follows.set_request_status(conn, request.id, "cancelled")
        await notification_rows.delete_by_subject(conn, "follow_request_id", request.id)


async def remove_follower(conn: asyncpg.Connection, viewer_id: int, follower_id: int) -> None:
    await _target_is_public(conn, follower_id, viewer_id)
    await stop_following(conn, follower_id, viewer_id)


async def answer_request(
    conn: asyncpg.Connection, viewer_id: int, request_id: int, *, accept: bool
) -> tuple[int, str]:
    """Accept or decline a request addressed to the viewer: (request id, its status).
    Someone else's request is a 404; answering again the same way is harmless; changing an
    answer already given is a conflict."""
    request = await follows.select_request_for_update(conn, request_id)
    if request is None or request.target_id != viewer_id or request.status == "cancelled":
        raise NotFound("No such follow request.")
    wanted = status_for(accept)
    if not needs_answer(request.status, wanted, what="request"):
        return request.id, wanted
    await follows.set_request_status(conn, request.id, wanted)
    if accept:
        await start_following(conn, request.requester_id, viewer_id)
        await notify(
            conn, Draft(user_id=request.requester_id, kind="follow_accepted", actor_id=viewer_id)
        )
    # The request's own notification now shows the outcome, on every tab of the viewer.
    answered = await notification_rows.mark_read_by_subject(conn, "follow_request_id", request.id)
    await push_updates(conn, answered)
    return request.id, wanted
