"""Chat over HTTP (API.md, Chat): conversations, history, the send fallback, read markers."""

from __future__ import annotations

from quart import Blueprint

from server.domain import chat
from server.domain.inputs import parse_id
from server.http import bodies
from server.http.context import db, services, viewer_id
from server.http.paging import page_args, paged
from server.shapes import card_from_row, message_from_row

blueprint = Blueprint("chats", __name__, url_prefix="/api")


def _conversation_items(direct, rooms, viewer: int) -> list[dict]:
    items = [
        {
            "kind": "direct",
            "id": row["peer_id"],
            "peer": card_from_row(row, "peer_"),
            "last_message": message_from_row(row, viewer),
            "unread_count": row["unread_count"],
        }
        for row in direct
    ] + [
        {
            "kind": "group",
            "id": row["room_id"],
            "group": {"id": row["room_id"], "title": row["room_title"]},
            "last_message": message_from_row(row, viewer) if row["id"] is not None else None,
            "unread_count": row["unread_count"],
        }
        for row in rooms
    ]
    # Most recent conversation first; rooms without a message yet go last.
    return sorted(
        items,
        key=lambda item: item["last_message"]["id"] if item["last_message"] else 0,
        reverse=True,
    )


@blueprint.get("/chats")
async def conversations():
    """My conversations: direct ones and my groups' rooms, with last message and unread count."""
    viewer = viewer_id()
    direct, rooms = await db().run(chat.conversations, viewer)
    return {"items": _conversation_items(direct, rooms, viewer), "next": None}


@blueprint.get("/chats/direct/<id:user_id>/messages")
async def direct_history(user_id: int):
    """The messages between me and this person, newest first."""
    page = page_args()
    viewer = viewer_id()
    rows = await db().run(chat.direct_history, viewer, user_id, page.before, page.fetch)
    return paged(rows, page, lambda row: message_from_row(row, viewer), lambda row: row["id"])


@blueprint.get("/groups/<id:group_id>/messages")
async def group_history(group_id: int):
    """The group room's messages, newest first (members only)."""
    page = page_args()
    viewer = viewer_id()
    rows = await db().run(chat.group_history, viewer, group_id, page.before, page.fetch)
    return paged(rows, page, lambda row: message_from_row(row, viewer), lambda row: row["id"])


async def _send(kind: str, conversation_id: int):
    """The same path as a WebSocket chat.send: the chat writer stores and publishes it."""
    viewer = viewer_id()
    services().limits.charge_chat_send(viewer)
    body = await bodies.json_object()
    text = chat.parse_body(body.get("body"))
    client_msg_id = chat.parse_client_msg_id(body.get("client_msg_id"))
    message, created = await services().writer.send(
        viewer, kind, conversation_id, text, client_msg_id
    )
    return {"message": message_from_row(message, viewer)}, 201 if created else 200


@blueprint.post("/chats/direct/<id:user_id>/messages")
async def send_direct(user_id: int):
    """Send a direct message (the same rules as the WebSocket's chat.send)."""
    return await _send("direct", user_id)


@blueprint.post("/groups/<id:group_id>/messages")
async def send_group(group_id: int):
    """Send to a group room (members only)."""
    return await _send("group", group_id)


async def _read(kind: str, conversation_id: int):
    body = await bodies.json_object()
    up_to = parse_id(body.get("up_to"), field="up_to", message="a message id")
    await db().run_shielded(chat.mark_read, viewer_id(), kind, conversation_id, up_to)
    return "", 204


@blueprint.post("/chats/direct/<id:user_id>/read")
async def read_direct(user_id: int):
    """Mark the conversation with this person read up to a message."""
    return await _read("direct", user_id)


@blueprint.post("/chats/group/<id:group_id>/read")
async def read_group(group_id: int):
    """Mark a group room read up to a message."""
    return await _read("group", group_id)
