"""Chat (SPEC.md, Chat): direct messages between people of whom one follows the other, and
group rooms for members. Sending is the same function for REST and WebSocket: persisted, then
published on the bus in the same transaction, so nothing is delivered that was not stored.
"""

from __future__ import annotations

import asyncpg

from server.db import messages, users
from server.domain import visibility
from server.domain.groups import require_member
from server.domain.text import clean_text
from server.errors import ChatNotAllowed, NotFound, ValidationError
from server.realtime import bus
from server.shapes import message_from_row

MAX_MESSAGE_LENGTH = 2000
MAX_CLIENT_MSG_ID_LENGTH = 100


def parse_body(value: object) -> str:
    return clean_text(
        value, field="body", max_length=MAX_MESSAGE_LENGTH, required=True, label="a message"
    )


def parse_client_msg_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CLIENT_MSG_ID_LENGTH:
        raise ValidationError(fields={"client_msg_id": "a string of 1 to 100 characters"})
    return value


async def can_message(conn: asyncpg.Connection, sender_id: int, recipient_id: int) -> bool:
    """Raises NotFound for an unknown recipient."""
    allowed = await conn.fetchval(
        f"SELECT {visibility.can_message('$1', 'u.id')} FROM users u WHERE u.id = $2",
        sender_id,
        recipient_id,
    )
    if allowed is None:
        raise NotFound("No such user.")
    return allowed


async def _require_member(conn: asyncpg.Connection, user_id: int, group_id: int, *, write: bool):
    refusal = ChatNotAllowed("Only members can write in this group's chat.")
    await require_member(conn, group_id, user_id, write=write, refusal=refusal)


async def send_direct(
    conn: asyncpg.Connection,
    sender_id: int,
    recipient_id: int,
    body: str,
    client_msg_id: str | None,
    skip: str | None = None,
) -> tuple[asyncpg.Record, bool]:
    """Store and publish a direct message; (message, created). `skip`: the sending socket,
    which gets an ack instead of a copy."""
    message = await messages.insert_direct(conn, sender_id, recipient_id, body, client_msg_id)
    if message is None:
        return await settle_unstored(conn, "direct", sender_id, recipient_id, client_msg_id)
    await bus.publish(conn, *message_events(message, skip=skip))
    return message, True


async def send_group(
    conn: asyncpg.Connection,
    sender_id: int,
    group_id: int,
    body: str,
    client_msg_id: str | None,
    skip: str | None = None,
) -> tuple[asyncpg.Record, bool]:
    message = await messages.insert_group(conn, sender_id, group_id, body, client_msg_id)
    if message is None:
        return await settle_unstored(conn, "group", sender_id, group_id, client_msg_id)
    await bus.publish(conn, *message_events(message, skip=skip))
    return message, True


async def settle_unstored(
    conn: asyncpg.Connection, kind: str, sender_id: int, target_id: int, client_msg_id: str | None
) -> tuple[asyncpg.Record, bool]:
    """A message its INSERT did not store (the insert checks the rule): a repeat of an earlier
    send with this client_msg_id, returned as not created; else a 404 for no such person or
    group, else ChatNotAllowed."""
    repeat = await messages.select_by_client_msg_id(conn, sender_id, client_msg_id)
    if repeat is not None:
        return repeat, False
    if kind == "group":
        await _require_member(conn, sender_id, target_id, write=True)
    else:
        await can_message(conn, sender_id, target_id)
    raise ChatNotAllowed()


def message_events(message: asyncpg.Record, *, skip: str | None) -> list[dict]:
    """The bus events that deliver a stored message: to the group's members, or to the
    recipient and to the sender's other sockets. A direct conversation is named by the other
    person, so each side of it gets its own frame."""
    sender = message["sender_id"]
    if message["group_id"] is not None:
        return [bus.deliver_group(message["group_id"], _frame(message, sender), skip=skip)]
    recipient = message["recipient_id"]
    return [
        bus.deliver([recipient], _frame(message, recipient)),
        bus.deliver([sender], _frame(message, sender), skip=skip),
    ]


def _frame(message: asyncpg.Record, reader_id: int) -> dict:
    return {"type": "chat.message", "message": message_from_row(message, reader_id)}


async def direct_history(
    conn: asyncpg.Connection, viewer_id: int, peer_id: int, before: int | None, limit: int
):
    if not await users.user_exists(conn, peer_id):
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
    every tab's unread count agrees."""
    if kind == "group":
        await _require_member(conn, viewer_id, conversation_id, write=False)
        await messages.mark_group_read(conn, viewer_id, conversation_id, up_to)
    else:
        if not await users.user_exists(conn, conversation_id):
            raise NotFound("No such user.")
        await messages.mark_direct_read(conn, viewer_id, conversation_id, up_to)
    frame = {
        "type": "chat.read",
        "conversation": {"kind": kind, "id": conversation_id},
        "up_to": up_to,
    }
    await bus.publish(conn, bus.deliver([viewer_id], frame, skip=skip))


async def conversations(conn: asyncpg.Connection, viewer_id: int):
    return await messages.select_conversations(conn, viewer_id)
