"""The chat frames of a SessionActor: chat.send, chat.typing, chat.read.

They call the same domain code as the REST routes (server/domain/chat.py and the chat writer),
so the chat rule is written once. Typing is ephemeral: throttled per conversation, published on
the bus, never stored.
"""

from __future__ import annotations

import time
from functools import partial

from server.db.database import Database
from server.domain import chat
from server.domain.chat_writer import MessageWriter
from server.errors import ApiError
from server.events import Typing
from server.ratelimit import RateLimits
from server.realtime import protocol
from server.realtime.actor import SessionActor
from server.realtime.ephemeral import EphemeralPublisher
from server.realtime.protocol import ChatRead, ChatSend, ChatTyping, Target
from server.realtime.router import Router
from server.shapes import message_from_row

# One typing frame per conversation per socket this often at most: a busy typist costs their
# peers one frame every few seconds, not one per keystroke.
TYPING_INTERVAL_SECONDS = 2.0
# How long a socket trusts "may message this person" for typing (sending always re-checks).
TYPING_PERMISSION_SECONDS = 30.0
# How many conversations a socket remembers typing throttles and permissions for: typing at
# ever more people must not grow a socket's memory without end.
TYPING_TARGETS_REMEMBERED = 256


class ChatHandlers:
    def __init__(
        self,
        db: Database,
        router: Router,
        writer: MessageWriter,
        ephemeral: EphemeralPublisher,
        limits: RateLimits,
    ):
        self.db = db
        self.router = router
        self.writer = writer
        # Typing leaves without a round trip of the socket's own.
        self.ephemeral = ephemeral
        # Chat sends per user across all their sockets here (and their HTTP sends).
        self.limits = limits

    def table(self) -> dict:
        return {ChatSend: self.send, ChatTyping: self.typing, ChatRead: self.read}

    async def send(self, actor: SessionActor, frame: ChatSend) -> None:
        try:
            self.limits.charge_chat_send(actor.user_id)
            body = chat.parse_body(frame.body)
            message, _ = await self.writer.send(
                actor.user_id, frame.to.kind, frame.to.id, body, frame.client_msg_id, skip=actor.id
            )
        except ApiError as error:
            reply = protocol.ChatErrorFrame(frame.client_msg_id, error.code)
        else:
            reply = protocol.ChatAckFrame(
                frame.client_msg_id, message_from_row(message, actor.user_id)
            )
        actor.send_frame(reply)

    async def typing(self, actor: SessionActor, frame: ChatTyping) -> None:
        now = time.monotonic()
        key = ("typing", frame.to)
        if key not in actor.memo and len(actor.memo) > 2 * TYPING_TARGETS_REMEMBERED:
            _forget_typing_targets(actor.memo)
        if actor.memo.get(key, 0.0) > now:
            return  # throttled
        actor.memo[key] = now + TYPING_INTERVAL_SECONDS
        card = actor.memo.get("card")
        if card is None:
            return
        if frame.to.kind == "group":
            if not self.router.in_group(actor.user_id, frame.to.id):
                return
            event = Typing(card, "group", frame.to.id, skip=actor.id)
        else:
            if not await self._may_message(actor, frame.to, now):
                return
            event = Typing(card, "direct", frame.to.id)
        self.ephemeral.publish_nowait(event)

    async def _may_message(self, actor: SessionActor, to: Target, now: float) -> bool:
        key = ("may_message", to.id)
        cached = actor.memo.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            allowed = await self.db.run(chat.can_message, actor.user_id, to.id)
        except ApiError:
            allowed = False
        actor.memo[key] = (allowed, now + TYPING_PERMISSION_SECONDS)
        return allowed

    async def read(self, actor: SessionActor, frame: ChatRead) -> None:
        try:
            await self.db.run_shielded(
                partial(chat.mark_read, skip=actor.id),
                actor.user_id,
                frame.conversation.kind,
                frame.conversation.id,
                frame.up_to,
            )
        except ApiError as error:
            actor.send_frame(protocol.ErrorFrame(error.code))


def _forget_typing_targets(memo: dict) -> None:
    """Forget every conversation's throttle and permission (each is one key of the memo, a
    tuple): they cost a check again, once."""
    for key in [key for key in memo if isinstance(key, tuple)]:
        del memo[key]
