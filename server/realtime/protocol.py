"""The WebSocket frames of API.md ("WebSocket /ws"), each type once.

Client frames are parsed into dataclasses (anything else is a ProtocolError carrying the code to
answer). Server frames are dataclasses too, named `...Frame`, and `dump_server_frame` is the one
way they become text; the router dumps a frame once per audience, never once per socket. The
client mirrors this module one to one in client/src/lib/realtime/protocol.js.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from server.domain.chat import parse_client_msg_id
from server.domain.inputs import is_id
from server.errors import ValidationError
from server.wire import websocket_text_frame

# A message (its frames together) over this many bytes closes the socket with 1009 (text) or
# 1003 (binary), enforced on the wire by the one check there is, server/http/hypercorn_worker.py's
# guard, through hypercorn's websocket_max_message_size. A binary message of any size is
# refused by the actor with 1003.
MAX_MESSAGE_BYTES = 64 * 1024

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_POLICY_VIOLATION = 1008
CLOSE_MESSAGE_TOO_BIG = 1009
# The server restarts or lost its bus: reconnect (elsewhere) and catch up over HTTP.
CLOSE_SERVICE_RESTART = 1012
# The server could not keep up and may have dropped events for this socket: catch up.
CLOSE_TRY_AGAIN_LATER = 1013
# Application codes (4000-4999): the session ended (logout) / the client fell too far behind.
CLOSE_SESSION_ENDED = 4001
CLOSE_TOO_SLOW = 4008


class ProtocolError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- client -> server ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ping:
    pass


@dataclass(frozen=True, slots=True)
class Target:
    """A conversation as the client names it: {"user": id} or {"group": id}."""

    kind: str  # "direct" | "group"
    id: int


@dataclass(frozen=True, slots=True)
class ChatSend:
    to: Target
    body: Any  # checked by the chat rules (server/domain/chat.py), which answer chat.error
    client_msg_id: str | None


@dataclass(frozen=True, slots=True)
class ChatTyping:
    to: Target


@dataclass(frozen=True, slots=True)
class ChatRead:
    conversation: Target
    up_to: int


@dataclass(frozen=True, slots=True)
class Watch:
    """What the tab shows: feeds ("home", "explore", "user:<id>", "group:<id>") and posts.
    Each frame replaces the previous set."""

    feeds: frozenset[str]
    posts: frozenset[int]


ClientFrame = Ping | ChatSend | ChatTyping | ChatRead | Watch

# At most this many feeds and posts watched by one socket (API.md).
MAX_WATCHED_FEEDS = 10
MAX_WATCHED_POSTS = 500
FEEDS = ("home", "explore")
FEEDS_OF = ("user", "group")  # "user:<id>", "group:<id>"


def _id(value: Any) -> int:
    if not is_id(value):
        raise ProtocolError("bad_frame")
    return value


def _target(value: Any) -> Target:
    if isinstance(value, dict) and len(value) == 1:
        ((key, ident),) = value.items()
        if key == "user":
            return Target("direct", _id(ident))
        if key == "group":
            return Target("group", _id(ident))
    raise ProtocolError("bad_frame")


def _conversation(value: Any) -> Target:
    if isinstance(value, dict) and value.get("kind") in ("direct", "group"):
        return Target(value["kind"], _id(value.get("id")))
    raise ProtocolError("bad_frame")


def _feed(value: Any) -> str:
    """A feed's name, canonical ("user:7", not "user:007")."""
    if value in FEEDS:
        return value
    if isinstance(value, str):
        kind, _, ident = value.partition(":")
        if kind in FEEDS_OF and ident.isascii() and ident.isdigit() and len(ident) <= 19:
            return f"{kind}:{_id(int(ident))}"
    raise ProtocolError("bad_frame")


def _bounded_list(value: Any, limit: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > limit:
        raise ProtocolError("bad_frame")
    return value


def _watch(data: dict) -> Watch:
    feeds = frozenset(_feed(f) for f in _bounded_list(data.get("feeds"), MAX_WATCHED_FEEDS))
    posts = frozenset(_id(p) for p in _bounded_list(data.get("posts"), MAX_WATCHED_POSTS))
    return Watch(feeds, posts)


def _client_msg_id(value: Any) -> str | None:
    try:
        return parse_client_msg_id(value)
    except ValidationError:
        raise ProtocolError("bad_frame") from None


# Each client frame type and how its JSON object becomes a frame.
CLIENT_FRAMES: dict[str, Callable[[dict], ClientFrame]] = {
    "ping": lambda data: Ping(),
    "chat.send": lambda data: ChatSend(
        _target(data.get("to")), data.get("body"), _client_msg_id(data.get("client_msg_id"))
    ),
    "chat.typing": lambda data: ChatTyping(_target(data.get("to"))),
    "chat.read": lambda data: ChatRead(
        _conversation(data.get("conversation")), _id(data.get("up_to"))
    ),
    "watch": _watch,
}


# Each client frame type and the frame it becomes, whose members are the JSON object's
# (docs/api.md lists them from here).
CLIENT_FRAME_TYPES: dict[str, type] = {
    "ping": Ping,
    "chat.send": ChatSend,
    "chat.typing": ChatTyping,
    "chat.read": ChatRead,
    "watch": Watch,
}


def parse_client_frame(text: str) -> ClientFrame:
    """One text frame -> a frame object, or ProtocolError("bad_frame" | "unknown_type")."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_frame") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("bad_frame")
    parse = CLIENT_FRAMES.get(data["type"])
    if parse is None:
        raise ProtocolError("unknown_type")
    return parse(data)


# --- server -> client ---------------------------------------------------------------------------


class ServerFrame:
    """A frame the server sends. Subclasses are frozen dataclasses with a wire `type`."""

    __slots__ = ()
    type: ClassVar[str]


# Each server frame type and its class.
SERVER_FRAMES: dict[str, type[ServerFrame]] = {}


def _server_frame(wire_type: str):
    def define(cls):
        cls = dataclass(frozen=True, slots=True)(cls)
        cls.type = wire_type
        SERVER_FRAMES[wire_type] = cls
        return cls

    return define


@_server_frame("pong")
class PongFrame(ServerFrame):
    pass


@_server_frame("error")
class ErrorFrame(ServerFrame):
    """A client frame the server cannot use: bad_frame | unknown_type | rate_limited. The socket
    stays open."""

    code: str


@_server_frame("chat.ack")
class ChatAckFrame(ServerFrame):
    """The sender's own send, stored: `message` as the sender reads it."""

    client_msg_id: str | None
    message: dict


@_server_frame("chat.error")
class ChatErrorFrame(ServerFrame):
    """A send refused: chat_not_allowed | validation_error | not_found, or rate_limited when the
    sender's chat budget is spent (server/ratelimit.py), so the client marks that message."""

    client_msg_id: str | None
    code: str


@_server_frame("chat.message")
class ChatMessageFrame(ServerFrame):
    message: dict


@_server_frame("chat.typing")
class ChatTypingFrame(ServerFrame):
    conversation: dict
    user: dict


@_server_frame("chat.read")
class ChatReadFrame(ServerFrame):
    """Beyond API.md: my read marker moved in another tab (or over HTTP)."""

    conversation: dict
    up_to: int


@_server_frame("notification")
class NotificationFrame(ServerFrame):
    notification: dict
    unread_count: int


@_server_frame("presence")
class PresenceFrame(ServerFrame):
    user_id: int
    online: bool


@_server_frame("event.response")
class EventResponseFrame(ServerFrame):
    """Beyond API.md: a member of one of my groups answered an event; its counts now."""

    event: dict
    user_id: int
    response: str


@_server_frame("post.new")
class PostNewFrame(ServerFrame):
    """A new post in a feed the socket watches. `post` without my_reaction: each tab keeps
    its own."""

    feed: str
    post: dict


@_server_frame("post.edited")
class PostEditedFrame(ServerFrame):
    post: dict


@_server_frame("post.deleted")
class PostDeletedFrame(ServerFrame):
    """A watched post was deleted, or an edit took it out of the viewer's sight."""

    post_id: int


@_server_frame("post.counts")
class PostCountsFrame(ServerFrame):
    post_id: int
    comments_count: int
    reactions: dict


@_server_frame("comment.new")
class CommentNewFrame(ServerFrame):
    comment: dict


@_server_frame("comment.edited")
class CommentEditedFrame(ServerFrame):
    comment: dict


@_server_frame("comment.deleted")
class CommentDeletedFrame(ServerFrame):
    post_id: int
    comment_id: int


@_server_frame("comment.counts")
class CommentCountsFrame(ServerFrame):
    comment_id: int
    reactions: dict


def dump_server_frame(frame: ServerFrame) -> str:
    """A server frame as the text sent on the wire (compact, UTF-8 kept as is)."""
    data: dict[str, Any] = {"type": frame.type}
    for name in frame.__match_args__:  # type: ignore[attr-defined]
        data[name] = getattr(frame, name)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def wire(frame: ServerFrame) -> bytes:
    """A server frame as the bytes of its WebSocket frame: made once per audience by the
    router and written to each socket as they are, below ASGI (server/wire.py)."""
    return websocket_text_frame(dump_server_frame(frame))


PONG = wire(PongFrame())
