"""Chat over HTTP (API.md, Chat): conversations, history, the send fallback, read markers."""

from __future__ import annotations

from quart import Blueprint

from server.domain import chat
from server.domain.inputs import Check, Fields, Id
from server.errors import ChatNotAllowed
from server.http.context import db, services, viewer_id
from server.http.contract import NO_CONTENT, declare
from server.http.paging import PAGING, page_of, paged
from server.schema import COUNT, ID, STRING, nullable, obj
from server.schema import page_of as page_schema
from server.shapes import MESSAGE, USER_CARD, card_from_row, message_from_row

blueprint = Blueprint("chats", __name__, url_prefix="/api")

CONVERSATION_ITEM = {
    "anyOf": [
        obj(
            {
                "kind": {"const": "direct"},
                "id": ID,
                "peer": USER_CARD,
                "last_message": MESSAGE,
                "unread_count": COUNT,
            }
        ),
        obj(
            {
                "kind": {"const": "group"},
                "id": ID,
                "group": obj({"id": ID, "title": STRING}),
                "last_message": nullable(MESSAGE),
                "unread_count": COUNT,
            }
        ),
    ]
}
# A send over HTTP: the rules of the WebSocket's chat.send (server/domain/chat.py).
SEND = Fields(
    body=Check(
        chat.parse_body,
        {"type": "string", "minLength": 1, "maxLength": chat.MAX_MESSAGE_LENGTH},
    ),
    client_msg_id=Check(
        chat.parse_client_msg_id,
        nullable({"type": "string", "minLength": 1, "maxLength": chat.MAX_CLIENT_MSG_ID_LENGTH}),
        required=False,
    ),
)
SENT = obj({"message": MESSAGE})
READ = Fields(up_to=Id(message="a message id"))
MESSAGES_PAGE = page_schema(MESSAGE)


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
@declare(answers={200: page_schema(CONVERSATION_ITEM)})
async def conversations():
    """My conversations: direct ones and my groups' rooms, with last message and unread count."""
    viewer = viewer_id()
    direct, rooms = await db().run(chat.conversations, viewer)
    return {"items": _conversation_items(direct, rooms, viewer), "next": None}


@blueprint.get("/chats/direct/<id:user_id>/messages")
@declare(query=PAGING, answers={200: MESSAGES_PAGE})
async def direct_history(user_id: int, query: dict):
    """The messages between me and this person, newest first."""
    page = page_of(query)
    viewer = viewer_id()
    rows = await db().run(chat.direct_history, viewer, user_id, page.before, page.fetch)
    return paged(rows, page, lambda row: message_from_row(row, viewer), lambda row: row["id"])


@blueprint.get("/groups/<id:group_id>/messages")
@declare(query=PAGING, answers={200: MESSAGES_PAGE})
async def group_history(group_id: int, query: dict):
    """The group room's messages, newest first (members only)."""
    page = page_of(query)
    viewer = viewer_id()
    rows = await db().run(chat.group_history, viewer, group_id, page.before, page.fetch)
    return paged(rows, page, lambda row: message_from_row(row, viewer), lambda row: row["id"])


def _send_route(view):
    return declare(
        json=SEND,
        answers={201: SENT, 200: SENT},
        errors=(ChatNotAllowed,),
    )(view)


async def _send(kind: str, conversation_id: int, body: dict):
    """The same path as a WebSocket chat.send: the chat writer stores and publishes it."""
    viewer = viewer_id()
    services().limits.charge_chat_send(viewer)
    text, client_msg_id = body["body"], body["client_msg_id"]
    message, created = await services().writer.send(
        viewer, kind, conversation_id, text, client_msg_id
    )
    return {"message": message_from_row(message, viewer)}, 201 if created else 200


@blueprint.post("/chats/direct/<id:user_id>/messages")
@_send_route
async def send_direct(user_id: int, body: dict):
    """Send a direct message (the same rules as the WebSocket's chat.send).
    A repeated client_msg_id answers 200 with the message stored the first time."""
    return await _send("direct", user_id, body)


@blueprint.post("/groups/<id:group_id>/messages")
@_send_route
async def send_group(group_id: int, body: dict):
    """Send to a group room (members only).
    A repeated client_msg_id answers 200 with the message stored the first time."""
    return await _send("group", group_id, body)


async def _read(kind: str, conversation_id: int, up_to: int):
    await db().run_shielded(chat.mark_read, viewer_id(), kind, conversation_id, up_to)
    return "", 204


@blueprint.post("/chats/direct/<id:user_id>/read")
@declare(json=READ, answers={204: NO_CONTENT})
async def read_direct(user_id: int, body: dict):
    """Mark the conversation with this person read up to a message."""
    return await _read("direct", user_id, body["up_to"])


@blueprint.post("/chats/group/<id:group_id>/read")
@declare(json=READ, answers={204: NO_CONTENT})
async def read_group(group_id: int, body: dict):
    """Mark a group room read up to a message."""
    return await _read("group", group_id, body["up_to"])
