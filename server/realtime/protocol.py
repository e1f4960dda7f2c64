"""The WebSocket frames of API.md. Client frames are parsed into dataclasses (anything else is a
ProtocolError with the code to answer); server frames are built as plain dicts and dumped once.
The client mirrors this module in client/src/lib/realtime/protocol.js."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# A text frame over this many bytes closes the socket with 1009; any binary frame with 1003.
MAX_FRAME_BYTES = 64 * 1024
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_POLICY_VIOLATION = 1008
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_TRY_AGAIN_LATER = 1013
# Application codes (4000-4999): the session ended (logout) / the client fell too far behind.
CLOSE_SESSION_ENDED = 4001
CLOSE_TOO_SLOW = 4008


class ProtocolError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


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
    body: Any
    client_msg_id: str | None


@dataclass(frozen=True, slots=True)
class ChatTyping:
    to: Target


@dataclass(frozen=True, slots=True)
class ChatRead:
    conversation: Target
    up_to: int


ClientFrame = Ping | ChatSend | ChatTyping | ChatRead
MAX_ID = 2**63 - 1


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
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


def parse_client_frame(text: str) -> ClientFrame:
    """One text frame -> a frame object, or ProtocolError("bad_frame" | "unknown_type")."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_frame") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("bad_frame")
    kind = data["type"]
    if kind == "ping":
        return Ping()
    if kind == "chat.send":
        client_msg_id = data.get("client_msg_id")
        if client_msg_id is not None and (
            not isinstance(client_msg_id, str) or not 0 < len(client_msg_id) <= 100
        ):
            raise ProtocolError("bad_frame")
        return ChatSend(_target(data.get("to")), data.get("body"), client_msg_id)
    if kind == "chat.typing":
        return ChatTyping(_target(data.get("to")))
    if kind == "chat.read":
        return ChatRead(_conversation(data.get("conversation")), _id(data.get("up_to")))
    raise ProtocolError("unknown_type")


def dump(frame: dict) -> str:
    """A server frame as the text sent on the wire (compact, UTF-8 kept as is)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


PONG = dump({"type": "pong"})


def error_frame(code: str) -> str:
    return dump({"type": "error", "code": code})
