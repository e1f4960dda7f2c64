"""Groups (SPEC.md, Groups): membership by invitation (any member invites, the invitee
answers) or by request (the creator answers). Each function runs inside the caller's
transaction; membership changes are published so every router keeps its group fan-out right.
"""

from __future__ import annotations

import asyncpg

from server.db import blocks, groups, users
from server.db import notifications as notification_rows
from server.db.database import emit
from server.domain.answers import needs_answer, status_for
from server.domain.inputs import Fields, Text, parse_id
from server.domain.notifications import Draft, notify, push_updates
from server.errors import ApiError, Conflict, Forbidden, NotFound
from server.events import MembershipChanged

MAX_TITLE_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000


# POST /api/groups: {title, description}.
GROUP_FORM = Fields(
    title=Text(max_length=MAX_TITLE_LENGTH, required=True),
    description=Text(max_length=MAX_DESCRIPTION_LENGTH, required=True),
)


async def create_group(conn: asyncpg.Connection, creator_id: int, title: str, description: str):
    group_id = await groups.insert_group(conn, creator_id, title, description)
    emit(conn, MembershipChanged(group_id, creator_id, member=True))
    return await groups.select_group(conn, group_id, creator_id)


async def require_group(conn: asyncpg.Connection, group_id: int, viewer_id: int):
    group = await groups.select_group(conn, group_id, viewer_id)
    if group is None:
        raise NotFound("No such group.")
    return group


async def require_member(
    conn: asyncpg.Connection,
    group_id: int,
    viewer_id: int,
    *,
    write: bool,
    refusal: ApiError | None = None,
) -> None:
    """Pass when the viewer is a member (the creator is one). Otherwise: reading member-only
    content is a 404 (it does not exist for them); a write they can see but may not do is a 403,
    or `refusal` where the contract names a more precise one (chat_not_allowed)."""
    member = await groups.is_member(conn, group_id, viewer_id)
    if member is None or (not member and not write):
        raise NotFound("No such group.")
    if not member:
        raise refusal or Forbidden("Only members can do this.")


async def _join(conn: asyncpg.Connection, group_id: int, user_id: int) -> None:
    if await groups.insert_member(conn, group_id, user_id):
        emit(conn, MembershipChanged(group_id, user_id, member=True))


async def invite(conn: asyncpg.Connection, viewer_id: int, group_id: int, invitee_id: object):
    invitee_id = parse_id(invitee_id, field="user_id", message="a user id")
    await require_member(conn, group_id, viewer_id, write=True)
    if not await users.exists_for(conn, invitee_id, viewer_id):
        raise NotFound("No such user.")
    if await blocks.between(conn, viewer_id, invitee_id):
        raise Forbidden("You blocked this person.")
    if await groups.is_member(conn, group_id, invitee_id):
        raise Conflict("Already a member of this group.")
    existing = await groups.pending_invitation(conn, group_id, invitee_id)
    if existing is not None:
        return existing
    invitation = await groups.insert_invitation(conn, group_id, viewer_id, invitee_id)
    if invitation is None:  # a concurrent identical invitation won the race
        return await groups.pending_invitation(conn, group_id, invitee_id)
    await notify(
        conn,
        Draft(
            user_id=invitee_id,
            kind="group_invitation",
            actor_id=viewer_id,
            group_id=group_id,
            group_invitation_id=invitation["id"],
        ),
    )
    return invitation


async def answer_invitation(
    conn: asyncpg.Connection, viewer_id: int, invitation_id: int, *, accept: bool
):
    invitation = await groups.invitation_for_update(conn, invitation_id)
    if invitation is None or invitation["invitee_id"] != viewer_id:
        raise NotFound("No such invitation.")
    wanted = status_for(accept)
    if not needs_answer(invitation["status"], wanted, what="invitation"):
        return invitation["id"], wanted
    await groups.set_invitation_status(conn, invitation_id, wanted)
    group_id = invitation["group_id"]
    if accept:
        await _join(conn, group_id, viewer_id)
        await notify(
            conn,
            Draft(
                user_id=invitation["inviter_id"],
                kind="group_invitation_accepted",
                actor_id=viewer_id,
                group_id=group_id,
            ),
        )
        await _settle_join_request(conn, group_id, viewer_id)
    answered = await notification_rows.mark_read_by_subject(
        conn, "group_invitation_id", invitation_id
    )
    await push_updates(conn, answered)
    return invitation["id"], wanted


async def _settle_join_request(conn: asyncpg.Connection, group_id: int, user_id: int) -> None:
    """A pending request to join that is moot (joined through an invitation) or withdrawn:
    it leaves the creator's list and bell."""
    pending = await groups.pending_join_request(conn, group_id, user_id)
    if pending is not None:
        await groups.set_join_request_status(conn, pending["id"], "cancelled")
        await notification_rows.delete_by_subject(conn, "group_join_request_id", pending["id"])


async def request_to_join(conn: asyncpg.Connection, viewer_id: int, group_id: int):
    group = await require_group(conn, group_id, viewer_id)
    if group["my_state"] in ("member", "creator"):
        raise Conflict("Already a member of this group.")
    existing = await groups.pending_join_request(conn, group_id, viewer_id)
    if existing is not None:
        return existing
    request = await groups.insert_join_request(conn, group_id, viewer_id)
    if request is None:
        return await groups.pending_join_request(conn, group_id, viewer_id)
    await notify(
        conn,
        Draft(
            user_id=group["creator_id"],
            kind="group_join_request",
            actor_id=viewer_id,
            group_id=group_id,
            group_join_request_id=request["id"],
        ),
    )
    return request


async def cancel_join_request(conn: asyncpg.Connection, viewer_id: int, group_id: int) -> None:
    """Withdraw my pending request to join (nothing to do without one): it leaves the
    creator's list and bell, as a withdrawn follow request does."""
    await require_group(conn, group_id, viewer_id)
    await _settle_join_request(conn, group_id, viewer_id)


async def answer_join_request(
    conn: asyncpg.Connection, viewer_id: int, request_id: int, *, accept: bool
):
    request = await groups.join_request_for_update(conn, request_id)
    if request is None or request["status"] == "cancelled":
        raise NotFound("No such join request.")
    group_id = request["group_id"]
    if await groups.creator_of(conn, group_id) != viewer_id:
        raise Forbidden("Only the group's creator answers join requests.")
    wanted = status_for(accept)
    if not needs_answer(request["status"], wanted, what="request"):
        return request["id"], wanted
    await groups.set_join_request_status(conn, request_id, wanted)
    if accept:
        await _join(conn, group_id, request["user_id"])
        await notify(
            conn,
            Draft(
                user_id=request["user_id"],
                kind="group_join_accepted",
                actor_id=viewer_id,
                group_id=group_id,
            ),
        )
    answered = await notification_rows.mark_read_by_subject(
        conn, "group_join_request_id", request_id
    )
    await push_updates(conn, answered)
    return request["id"], wanted


async def pending_join_requests(
    conn: asyncpg.Connection, viewer_id: int, group_id: int, before: int | None, limit: int
):
    group = await require_group(conn, group_id, viewer_id)
    if group["my_state"] != "creator":
        raise Forbidden("Only the group's creator sees join requests.")
    return await groups.select_pending_join_requests(conn, group_id, before, limit)


async def leave(conn: asyncpg.Connection, viewer_id: int, group_id: int) -> None:
    group = await require_group(conn, group_id, viewer_id)
    if group["my_state"] == "creator":
        raise Conflict("The creator cannot leave their own group.")
    if await groups.delete_member(conn, group_id, viewer_id):
        emit(conn, MembershipChanged(group_id, viewer_id, member=False))


async def members(
    conn: asyncpg.Connection, viewer_id: int, group_id: int, before: int | None, limit: int
):
    await require_member(conn, group_id, viewer_id, write=False)
    return await groups.select_members(conn, group_id, before, limit)
