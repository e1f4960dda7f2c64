"""hypercorn's trio worker, patched: what serves HTTP and /ws.

Written against hypercorn 0.18.0 (`HYPERCORN_VERSION`, pinned in pyproject.toml; a test fails
when another version is installed). It follows these upstream files:
- src/hypercorn/trio/run.py, `worker_serve`: `serve_app` is its shape (a lifespan nursery
  around a connection nursery; shutdown is a deadline on the connection nursery);
- src/hypercorn/trio/tcp_server.py, `TCPServer`: used as it is, on a `ConnectionGuard` instead
  of the bare socket stream;
- src/hypercorn/protocol/ws_stream.py: the guard relies on `WSStream.app_send` being the `send`
  an application gets, and on `Handshake.extensions` holding the client's extension offer,
  which `Handshake.accept` answers (deviation 4).

Deviations, each with its reason:
1. Each connection is contained (`_serve_connection`): whatever it raises ends it alone.
   hypercorn#225 (open): a byte sent right after a WebSocket upgrade request raises h11's
   LocalProtocolError out of the connection nursery and ends the process; its mitigation
   (#228) was reverted before 0.17.0.
2. The guard measures every incoming WebSocket message by its frame headers and closes the
   socket (1009 for text, 1003 for binary) once a message grows past
   `config.websocket_max_message_size` bytes, before hypercorn buffers it. This is the one check
   of that limit that can fire: hypercorn's own (`WebsocketBuffer`, on the same setting) counts a
   text's characters, which never outnumber its bytes, and sees a message only after the guard
   passed it. hypercorn's check alone would buffer the whole limit first, and after its 1009 it
   keeps the connection and the application's task when the rest of the message arrives with
   the client's Close (reproduced on 0.18.0; no upstream issue found).
3. A connection whose exchange is over is cancelled after a grace period: hypercorn waits for
   the application before it lets a connection go, and once it has answered an upgrade with
   400 (the request of hypercorn#225) it never tells the application that the socket is gone.
4. permessage-deflate is never negotiated: hypercorn always accepts a client's offer
   (hypercorn#307, open: no setting). Compression would make the guard count compressed bytes,
   so a message far over the limit could pass it; and measured on chat frames
   (docs/deflate.py, docs/benchmarks.md) it costs five times the CPU per frame sent and 138 KiB
   per socket to save about 260 bytes a frame.
5. WebSockets are served over HTTP/1.1 only. hypercorn also accepts them over cleartext
   HTTP/2 (RFC 8441, announced in its SETTINGS); their frames travel inside HTTP/2 DATA frames,
   which the guard does not read, so such an upgrade is refused (403).
6. The application may write WebSocket frames it encoded itself (the ASGI extension
   `socialnet.websocket.frames`, a coroutine function taking bytes), under TCPServer's own
   `send_lock`, so they are ordered with hypercorn's writes (its Close frames, its Pongs). The
   router encodes a frame once per audience and each socket's writer sends whatever is queued in
   one call: no ASGI message, no wsproto encoding and no lock per frame per socket (issue 14).
   Frames from the server need no state in wsproto: only Close and Ping/Pong do, and those
   still go through hypercorn.
7. The last message of an HTTP response is sent shielded from cancellation. Sending it makes
   hypercorn finish the exchange in the application's task: recycle the connection for the
   next request, or close it when the client's body was not read to its end. quart-trio
   cancels that task as soon as the response is complete, so when a request's body arrived
   after its headers and the application answered without reading it (a 401, a 429, a route
   that takes no body), the close was cancelled halfway: the connection stayed open, its
   next request was never answered, and nothing ever closed it (reproduced with quart-trio
   on plain hypercorn 0.18.0; browsers often send a body in a packet of its own).
8. A connection wsproto fails (a frame against RFC 6455: reserved bits or opcodes, an unmasked
   or fragmented control frame, a continuation with nothing to continue, invalid UTF-8 in a
   text) is closed with wsproto's code, 1002 or 1007 (`_WSStream`, in place of
   ws_stream.py's WSStream for HTTP/1.1): hypercorn ends it without a Close frame, and SPEC.md
   wants every malformed frame answered with a close code. (Upstream: no issue found.)
9. Left out: TLS and QUIC sockets (TLS ends at nginx; configuring them is an error here),
   statsd, `max_requests`; shutdown waits for `shutdown_trigger` instead of raising
   ShutdownError through an exception group.

    serve_app
    └─ lifespan nursery              Quart startup/shutdown
       └─ connection nursery         one task per connection, each on its own guard
          └─ accept nursery          trio.serve_listeners, cancelled at shutdown
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

import hypercorn.protocol.h11
import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.protocol.events import StreamClosed
from hypercorn.protocol.ws_stream import FrameTooLargeError, WSStream
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import AppWrapper, ConnectionState
from hypercorn.utils import repr_socket_addr, wrap_app
from wsproto import ConnectionState as WebSocketState
from wsproto.events import CloseConnection, Message, Ping
from wsproto.frame_protocol import CloseReason

from server.preflight import StartupError, bind_problem
from server.wire import FRAMES_EXTENSION

log = logging.getLogger("socialnet.serving")

# The hypercorn this patch was written against; re-read the files above before changing it.
HYPERCORN_VERSION = "0.18.0"

_CLOSE_OPCODE = 0x8
# Once the server has answered `Connection: close` (or refused a WebSocket message), the rest
# of the exchange (a body already being written) gets this long before the connection is cut.
SERVER_CLOSING_GRACE = 2.0
# Once the client is gone, the application gets this long to notice before it is cancelled;
# generous because an HTTP client may half-close and still wait for its answer.
CLIENT_GONE_GRACE = 30.0
# The Close frame that refuses a message gets this long to be written.
REFUSAL_SEND_SECONDS = 1.0


def close_frame(code: int) -> bytes:
    """An unmasked (server to client) Close frame carrying `code`."""
    return bytes([0x80 | _CLOSE_OPCODE, 2]) + code.to_bytes(2, "big")


class FrameSizeParser:
    """Follows the client's WebSocket frames by their headers alone, skipping payloads, and
    says which close code a message deserves once it grows past `limit` bytes:
    1009 for text, 1003 for binary (API.md). Payload bytes are never copied."""

    def __init__(self, limit: int):
        self.limit = limit
        self._header = bytearray()
        self._payload_left = 0
        self._message_opcode = 0
        self._message_bytes = 0

    def feed(self, data: bytes) -> int | None:
        position, size = 0, len(data)
        while position < size:
            if self._payload_left:
                step = min(self._payload_left, size - position)
                self._payload_left -= step
                position += step
                continue
            self._header.append(data[position])
            position += 1
            parsed = self._parse_header()
            if parsed is None:
                continue
            opcode, length = parsed
            self._header.clear()
            self._payload_left = length
            if opcode in (0x1, 0x2):  # a new text or binary message
                self._message_opcode, self._message_bytes = opcode, length
            elif opcode == 0x0:  # continuation
                self._message_bytes += length
            else:  # control frames: wsproto checks their 125-byte limit
                continue
            if self._message_bytes > self.limit:
                return 1003 if self._message_opcode == 0x2 else 1009
        return None

    def _parse_header(self) -> tuple[int, int] | None:
        header = self._header
        if len(header) < 2:
            return None
        short_length = header[1] & 0x7F
        extended = 2 if short_length == 126 else 8 if short_length == 127 else 0
        needed = 2 + extended + (4 if header[1] & 0x80 else 0)
        if len(header) < needed:
            return None
        length = int.from_bytes(header[2 : 2 + extended], "big") if extended else short_length
        return header[0] & 0x0F, length


class _WSStream(WSStream):
    """hypercorn's WSStream (0.18.0, `_handle_events` as upstream wrote it) but for one branch:
    a connection wsproto failed is closed with the code wsproto chose (deviation 8)."""

    async def _handle_events(self) -> None:
        for event in self.connection.events():
            if isinstance(event, Message):
                try:
                    self.buffer.extend(event)
                except FrameTooLargeError:
                    await self._send_wsproto_event(
                        CloseConnection(code=CloseReason.MESSAGE_TOO_BIG)
                    )
                    break

                if event.message_finished:
                    await self.app_put(self.buffer.to_message())
                    self.buffer.clear()
            elif isinstance(event, Ping):
                await self._send_wsproto_event(event.response())
            elif isinstance(event, CloseConnection):
                if self.connection.state == WebSocketState.REMOTE_CLOSING:
                    await self._send_wsproto_event(event.response())
                elif self.connection.state == WebSocketState.OPEN:
                    # Not the client's Close: wsproto could not parse what it sent (deviation 8).
                    await self._send_wsproto_event(CloseConnection(code=event.code))
                await self.send(StreamClosed(stream_id=self.stream_id))


# HTTP/1.1 connections build their WebSocket streams from this name (deviation 8).
hypercorn.protocol.h11.WSStream = _WSStream


class ConnectionGuard(trio.abc.HalfCloseableStream):
    """The one owner of a connection's socket stream: hypercorn's TCPServer reads and writes
    through it (its own lock orders its writes; a writer added here must be ordered with them).
    HTTP passes through untouched; from the moment the application accepts a WebSocket, every
    incoming message is measured (deviation 2). When the connection's exchange is over, the
    guard sets the deadline of its cancel scope (deviation 3)."""

    def __init__(
        self,
        stream: trio.SocketStream,
        scope: trio.CancelScope,
        app: AppWrapper,
        *,
        max_message_bytes: int,
    ):
        self.transport = stream
        self.socket = stream.socket  # hypercorn reads the addresses from it
        self._scope = scope
        self._app = app
        self._max_message_bytes = max_message_bytes
        self._frames: FrameSizeParser | None = None  # once a WebSocket is accepted
        self._refused = False  # a message was refused: the guard's Close frame is the last
        # TCPServer's lock around its writes (deviation 6), set before it runs.
        self.send_lock: trio.Lock | None = None

    async def app(self, scope, receive, send, sync_spawn, call_soon) -> None:
        """The application as this connection runs it (hypercorn's AppWrapper)."""
        if scope["type"] == "websocket":
            if scope["http_version"] != "1.1":  # deviation 5
                await receive()  # websocket.connect
                await send({"type": "websocket.close"})  # before accept: hypercorn sends 403
                return
            send = partial(self._send_websocket_event, send)
            extensions = {**scope.get("extensions", {}), FRAMES_EXTENSION: self.send_frames}
            scope = {**scope, "extensions": extensions}
        elif scope["type"] == "http":
            send = partial(_send_http_event, send)
        await self._app(scope, receive, send, sync_spawn, call_soon)

    async def send_frames(self, data: bytes) -> None:
        """Write WebSocket frames the application encoded (deviation 6), in order with
        hypercorn's own writes. BrokenResourceError once the client is gone."""
        assert self.send_lock is not None and self._frames is not None, "not an open WebSocket"
        async with self.send_lock:
            await self.send_all(data)

    async def _send_websocket_event(self, send, message) -> None:
        if message["type"] == "websocket.accept":
            # `send` is hypercorn's WSStream.app_send: forget the client's extension offer
            # before its Handshake.accept answers it (deviation 4).
            send.__self__.handshake.extensions = None
            # Bytes that arrive before hypercorn accepts get a 400 and no WebSocket; from its
            # accepting on, it hands every byte it reads to the WebSocket. No checkpoint lies
            # between here and there, so the parser sees every frame from the first.
            self._frames = FrameSizeParser(self._max_message_bytes)
        await send(message)

    def _release_after(self, grace: float) -> None:
        self._scope.deadline = min(self._scope.deadline, trio.current_time() + grace)

    async def receive_some(self, max_bytes: int | None = None) -> bytes | bytearray:
        try:
            data = await self.transport.receive_some(max_bytes)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self._release_after(CLIENT_GONE_GRACE)
            raise
        if not data:
            self._release_after(CLIENT_GONE_GRACE)
        elif self._frames is not None and (code := self._frames.feed(data)) is not None:
            await self._refuse(code)
            return b""  # hypercorn sees the end of the stream and releases everything
        return data

    async def _refuse(self, code: int) -> None:
        log.info("websocket message over the size limit", extra={"fields": {"close": code}})
        self._frames = None
        self._refused = True
        self._release_after(SERVER_CLOSING_GRACE)
        with trio.move_on_after(REFUSAL_SEND_SECONDS):
            try:
                await self.transport.send_all(close_frame(code))
            except (trio.BrokenResourceError, trio.ClosedResourceError, trio.BusyResourceError):
                pass  # gone, or hypercorn is mid-write: the end of the stream still says it

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        if self._refused:
            return  # nothing may follow the guard's Close frame
        if self._frames is None and data[:9] == b"HTTP/1.1 ":
            if b"\r\nconnection: close\r\n" in bytes(data[:1024]).lower():
                self._release_after(SERVER_CLOSING_GRACE)
        await self.transport.send_all(data)

    async def send_eof(self) -> None:
        await self.transport.send_eof()

    async def wait_send_all_might_not_block(self) -> None:
        await self.transport.wait_send_all_might_not_block()

    async def aclose(self) -> None:
        await self.transport.aclose()


async def _send_http_event(send, message) -> None:
    """hypercorn's send, with the response's last message shielded (deviation 7). The shield
    adds no wait: hypercorn already shields its socket writes, and what follows the last
    write (recycling or closing the connection) does not block."""
    if message["type"] == "http.response.body" and not message.get("more_body", False):
        with trio.CancelScope(shield=True):
            await send(message)
    else:
        await send(message)


async def _serve_connection(
    app: AppWrapper,
    config: HypercornConfig,
    context: WorkerContext,
    state: ConnectionState,
    stream: trio.SocketStream,
) -> None:
    """One connection, contained: whatever it raises ends it alone (deviation 1), and once its
    exchange is over it lives a grace period at most (deviation 3). The guard says when by
    setting a deadline on the connection's cancel scope: no task watches a connection."""
    try:
        with trio.CancelScope() as connection_scope:
            guard = ConnectionGuard(
                stream,
                connection_scope,
                app,
                max_message_bytes=config.websocket_max_message_size,
            )
            server = TCPServer(guard.app, config, context, state, guard)
            guard.send_lock = server.send_lock
            await server
    except* Exception:
        # Cancellation, a BaseException, still propagates.
        log.warning("connection ended by a protocol error", exc_info=True)
    finally:
        with trio.CancelScope(shield=True):
            await stream.aclose()


async def serve_app(
    app,
    config: HypercornConfig,
    *,
    shutdown_trigger: Callable[[], Awaitable[None]],
    task_status=trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve `app` (ASGI) on `config.bind` until `shutdown_trigger` returns; report the URLs.
    Open connections then get `config.graceful_timeout` seconds to finish."""
    asgi = wrap_app(app, config.wsgi_max_body_size, "asgi")
    lifespan_state: dict = {}
    lifespan = Lifespan(asgi, config, lifespan_state)
    context = WorkerContext(None)

    async with trio.open_nursery() as lifespan_nursery:
        await lifespan_nursery.start(lifespan.handle_lifespan)
        await lifespan.wait_for_startup()

        async with trio.open_nursery() as connection_nursery:
            try:
                sockets = config.create_sockets()
            except OSError as error:
                # The command line checked the port (server/preflight.py); another server
                # may have taken it since.
                host, _, port = config.bind[0].rpartition(":")
                raise StartupError(bind_problem(host.strip("[]"), int(port), error)) from None
            if sockets.secure_sockets or sockets.quic_sockets:
                raise ValueError("TLS ends at nginx: this worker serves plain TCP (deviation 9)")
            listeners = []
            urls = []
            for sock in sockets.insecure_sockets:
                sock.listen(config.backlog)
                listeners.append(trio.SocketListener(trio.socket.from_stdlib_socket(sock)))
                urls.append(f"http://{repr_socket_addr(sock.family, sock.getsockname())}")
            state = ConnectionState(lifespan_state.copy())
            handler = partial(_serve_connection, asgi, config, context, state)
            log.info("serving on %s", ", ".join(urls))
            task_status.started(urls)
            try:
                async with trio.open_nursery() as accept_nursery:
                    accept_nursery.start_soon(
                        partial(
                            trio.serve_listeners,
                            handler,
                            listeners,
                            handler_nursery=connection_nursery,
                        )
                    )
                    await shutdown_trigger()
                    accept_nursery.cancel_scope.cancel()
            finally:
                await context.terminated.set()
                connection_nursery.cancel_scope.deadline = (
                    trio.current_time() + config.graceful_timeout
                )

        await lifespan.wait_for_shutdown()
        lifespan_nursery.cancel_scope.cancel()
