"""Chat (SPEC.md, Chat): direct messages between people of whom one follows the other, and
group rooms for members. Every message, sent over the WebSocket or over HTTP, is stored by the
one write path, the chat writer (server/domain/chat_writer.py): persisted, then published on the
bus with the write, so nothing is delivered that was not stored.
"""

from __future__ import annotations

import asyncpg

from server.db import messages, users
from server.db.database import emit
from server.domain.groups import require_member
from server.domain.inputs import clean_text, unusable_character
from server.errors import ChatNotAllowed, NotFound, ValidationError
from server.events import MessageStored, ReadMarkerMoved
from server.shapes import iso

MAX_MESSAGE_LENGTH = 2000
MAX_CLIENT_MSG_ID_LENGTH = 100


def parse_body(value: object) -> str:
    return clean_text(
        value, field="body", max_length=MAX_MESSAGE_LENGTH, required=True, label="a message"
    )


def parse_client_msg_id(value: object) -> str | None:
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= MAX_CLIENT_MSG_ID_LENGTH
        or unusable_character(value)
    ):
        raise ValidationError(fields={"client_msg_id": "a string of 1 to 100 characters"})
    return value


async def can_message(conn: asyncpg.Connection, sender_id: int, recipient_id: int) -> bool:
    """Raises NotFound for an unknown recipient."""
    allowed = await messages.may_message(conn, sender_id, recipient_id)
    if allowed is None:
        raise NotFound("No such user.")
    return allowed


async def _require_member(conn: asyncpg.Connection, user_id: int, group_id: int, *, write: bool):
    refusal = ChatNotAllowed("Only members can write in this group's chat.")
    await require_member(conn, group_id, user_id, write=write, refusal=refusal)


async def settle_unstored(
    conn: asyncpg.Connection, message: messages.NewMessage
) -> tuple[asyncpg.Record, bool]:
    """A message its INSERT did not store (the insert checks the rule): a repeat of an earlier
    send with this client_msg_id, returned as not created; else a 404 for no such person or
    group, else ChatNotAllowed."""
    repeat = await messages.select_by_client_msg_id(conn, message.sender_id, message.client_msg_id)
    if repeat is not None:
        return repeat, False
    if message.group_id is not None:
        await _require_member(conn, message.sender_id, message.group_id, write=True)
    else:
        await can_message(conn, message.sender_id, message.recipient_id)
    raise ChatNotAllowed()


def announce(conn: asyncpg.Connection, row: asyncpg.Record, *, skip: str | None) -> None:
    """Publish a stored message to the group's members, or to its recipient and the sender's
    other sockets (all but `skip`, the sending one, which gets an ack instead), for a bus that
    publishes after the commit (on Postgres the writer's statement publishes it itself)."""
    columns = {name: row[name] for name in MessageStored.__match_args__ if name != "skip"}
    emit(conn, MessageStored(**{**columns, "created_at": iso(row["created_at"]), "skip": skip}))


async def direct_history(
    conn: asyncpg.Connection, viewer_id: int, peer_id: int, before: int | None, limit: int
):
    if not await users.exists_for(conn, peer_id, viewer_id):
        raise NotFound("No such user.")
    return await messages.select_direct_history(conn, viewer_id, peer_id, before, limit)


async def group_history(
    conn: asyncpg.Connection, viewer_id: int, group_id: int, before: int | None, limit: int
):
    await _require_member(conn, viewer_id, group_id, write=False)
    return await messages.select_group_history(conn, group_id, before, limit)


async def mark_read(
    conn: asyncpg.Connection,
    viewer_id: int,
    kind: str,
    conversation_id: int,
    up_to: int,
    *,
    skip: str | None = None,
) -> None:
    """Move my read marker, and tell my other sockets (but `skip`, the one that read), so that
    every tab's unread count agrees: one statement does both on the Postgres bus. 404 for a
    conversation that is not mine to read (no such person; a group I am not in)."""
    moved, published = await messages.move_read_marker(
        conn, kind, viewer_id, conversation_id, up_to, skip
    )
    if not moved:
        raise NotFound("No such user." if kind == "direct" else "No such group.")
    if not published:
        emit(conn, ReadMarkerMoved(viewer_id, kind, conversation_id, up_to, skip=skip))


async def conversations(conn: asyncpg.Connection, viewer_id: int):
    return await messages.select_conversations(conn, viewer_id)
