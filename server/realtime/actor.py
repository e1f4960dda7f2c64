"""SessionActor: one task tree per open WebSocket, owning the socket and a bounded mailbox.

    SessionActor.run
    └─ actor nursery
       ├─ _read    parse and validate client frames, act, reply through the mailbox
       └─ _write   the only task that writes to the socket: drains the mailbox

The router puts frames into the mailbox with `deliver_nowait`; when the mailbox is full the
actor closes its socket (the client reconnects and catches up) rather than make anyone wait.
A client disconnect reaches us as cancellation, which is never swallowed. The endpoint
(server/realtime/endpoint.py) registers the actor with the router before it runs and
unregisters it in a `finally` that always runs.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable

import trio

from server import metrics
from server.errors import ApiError
from server.realtime import protocol

log = logging.getLogger("socialnet.actor")

# Frames a tab may have queued but not yet written. A browser tab drains hundreds of frames a
# second; 256 behind means the socket is stuck (a sleeping laptop, a dead link), not busy.
MAILBOX_SIZE = 256
# Client frames allowed per second, and the burst above that (typing, reads and sends together).
FRAMES_PER_SECOND = 20
FRAME_BURST = 60
# Frames written in one system call at most (what is queued when the writer wakes).
WRITE_BATCH = 64
# How long a client being closed gets to receive the frames already queued for it.
FLUSH_SECONDS = 1
# How long a closing socket waits for the client's Close reply.
CLOSE_HANDSHAKE_SECONDS = 2
# A client that keeps flooding after being told is disconnected.
MAX_RATE_WARNINGS = 20


class TokenBucket:
    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp = trio.current_time()

    def take(self) -> bool:
        now = trio.current_time()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Disconnected(Exception):
    """Raised by a WebSocketPort's `receive` when the client has gone."""


class WebSocketPort:
    """The socket as the actor sees it (server.realtime.endpoint.AsgiSocket). `receive` raises
    Disconnected when the client has gone; the actor then ends quietly. `send_frames` writes
    WebSocket frames already encoded (one or several, back to back)."""

    async def receive(self) -> str | bytes: ...
    async def send_frames(self, data: bytes) -> None: ...
    async def close(self, code: int, reason: str = "") -> None: ...


# A handler gets the actor and a parsed frame; it replies with actor.send_frame or raises
# ProtocolError. Chat handlers register here as they arrive.
FrameHandler = Callable[["SessionActor", object], Awaitable[None]]


class SessionActor:
    def __init__(
        self,
        websocket: WebSocketPort,
        *,
        user_id: int,
        session_id: int,
        handlers: dict[type, FrameHandler] | None = None,
    ):
        self.id = secrets.token_hex(8)
        self.user_id = user_id
        self.session_id = session_id
        self._websocket = websocket
        self._handlers = handlers or {}
        # Encoded WebSocket frames (protocol.wire): the router encodes once per audience.
        self._mailbox, self._outbox = trio.open_memory_channel[bytes](MAILBOX_SIZE)
        self._cancel_scope = trio.CancelScope()
        self._close_code: int | None = None
        self._bucket = TokenBucket(FRAMES_PER_SECOND, FRAME_BURST)
        self._rate_warnings = 0
        # Per-socket scratch space for handlers (throttles, cached permissions, own card).
        self.memo: dict = {}

    def __repr__(self) -> str:
        return f"<SessionActor {self.id} user={self.user_id}>"

    # --- called by the router and by handlers (never block) ---

    def send_frame(self, frame: protocol.ServerFrame) -> bool:
        """Queue a frame for this socket alone (replies to its own frames)."""
        return self.deliver_nowait(protocol.wire(frame))

    def deliver_nowait(self, data: bytes) -> bool:
        """Queue an encoded frame; False when the mailbox is full (the actor then closes)."""
        try:
            self._mailbox.send_nowait(data)
        except trio.WouldBlock:
            if self._close_code is None:  # say it once, not once per frame
                metrics.COUNTS.mailbox_overflows += 1
                log.warning("mailbox full, closing", extra={"fields": {"user": self.user_id}})
            self.close(protocol.CLOSE_TOO_SLOW)
            return False
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            return False  # the socket is closing: nothing more goes out on it
        return True

    def close(self, code: int) -> None:
        if self._close_code is None:
            self._close_code = code
        self._cancel_scope.cancel()

    # --- the actor's life ---

    async def run(self) -> None:
        """Serve the socket until the client leaves or the actor is closed."""
        try:
            with self._cancel_scope:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self._write)
                    await self._read()
                    # The reader gave up on this client: the writer still sends what is
                    # queued (the error frames that say why), within a short grace period.
                    self._mailbox.close()
                    self._cancel_scope.deadline = trio.current_time() + FLUSH_SECONDS
        finally:
            self._mailbox.close()
        if self._close_code is not None:
            await self._close_handshake(self._close_code)

    async def _close_handshake(self, code: int) -> None:
        """Send Close, then read (and ignore) what the client still sends until its Close reply
        ends the connection: closing the TCP socket with unread data in it would make the
        kernel reset the connection, and the client would never see our close code."""
        with trio.move_on_after(CLOSE_HANDSHAKE_SECONDS):
            await self._websocket.close(code)
            with contextlib.suppress(Disconnected):
                while True:
                    await self._websocket.receive()

    async def _write(self) -> None:
        """The only writer of the socket: whatever is queued when it wakes is written in one
        go (one system call for a burst of frames: a batch's acks, a busy room)."""
        async with self._outbox:
            async for data in self._outbox:
                queued = [data]
                while len(queued) < WRITE_BATCH:
                    try:
                        queued.append(self._outbox.receive_nowait())
                    except (trio.WouldBlock, trio.EndOfChannel):
                        break
                metrics.COUNTS.frames_out += len(queued)
                await self._websocket.send_frames(data if len(queued) == 1 else b"".join(queued))

    async def _read(self) -> None:
        """Read until the client leaves, or until it must be closed (`_close_code` set)."""
        while True:
            try:
                message = await self._websocket.receive()
            except Disconnected:
                return
            metrics.COUNTS.frames_in += 1
            if isinstance(message, bytes):
                self._close_code = protocol.CLOSE_UNSUPPORTED_DATA
                return
            if not self._bucket.take():
                self._rate_warnings += 1
                if self._rate_warnings > MAX_RATE_WARNINGS:
                    self._close_code = protocol.CLOSE_POLICY_VIOLATION
                    return
                self.send_frame(protocol.ErrorFrame("rate_limited"))
                continue
            await self._handle(message)

    async def _handle(self, text: str) -> None:
        try:
            frame = protocol.parse_client_frame(text)
            if isinstance(frame, protocol.Ping):
                self.deliver_nowait(protocol.PONG)
                return
            handler = self._handlers.get(type(frame))
            if handler is None:
                raise protocol.ProtocolError("unknown_type")
            await handler(self, frame)
        except (protocol.ProtocolError, ApiError) as error:
            # A frame the server cannot use, or cannot act on now (the database is away): the
            # client is told, and the socket stays open.
            self.send_frame(protocol.ErrorFrame(error.code))
