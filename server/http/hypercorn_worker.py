"""hypercorn's trio worker, patched: what serves HTTP and /ws.

Written against hypercorn 0.18.0 (`HYPERCORN_VERSION`, pinned in pyproject.toml; a test fails
when another version is installed). It follows two upstream files:
- src/hypercorn/trio/run.py, `worker_serve`: `serve_app` is its shape (lifespan nursery around
  a connection nursery; shutdown is a deadline on the connection nursery);
- src/hypercorn/trio/tcp_server.py, `TCPServer`: used as it is, on a guarded stream.

Deviations, each with its reason:
1. Each connection is contained (`_serve_connection`): whatever it raises ends it alone.
   hypercorn#225 (open): a byte sent right after a WebSocket upgrade request raises h11's
   LocalProtocolError out of the connection nursery and ends the process; its mitigation
   (#228) was reverted before 0.17.0.
2. Every socket is wrapped in `FrameSizeGuard`, which reads the headers of incoming WebSocket
   frames and closes a socket whose message grows past `config.websocket_max_message_size`
   before hypercorn buffers it (hypercorn's own check leaves the connection and its task behind
   when the rest of the frame arrives with the client's Close reply; reproduced on 0.18.0, no
   upstream issue found).
3. A connection whose exchange is over is cancelled after a grace period: hypercorn waits for
   the application before it lets a connection go, and once it has answered an upgrade with
   400 (the request of hypercorn#225) it never tells the application that the socket is gone.
4. Left out: TLS and QUIC sockets (TLS ends at nginx), statsd, `max_requests`; shutdown waits
   for `shutdown_trigger` instead of raising ShutdownError through an exception group.

    serve_app
    └─ lifespan nursery              Quart startup/shutdown
       └─ connection nursery         one task per connection, each guarded
          └─ accept nursery          trio.serve_listeners, cancelled at shutdown
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ConnectionState
from hypercorn.utils import repr_socket_addr, wrap_app

log = logging.getLogger("socialnet.serving")

# The hypercorn this patch was written against; re-read the files above before changing it.
HYPERCORN_VERSION = "0.18.0"

_CLOSE_OPCODE = 0x8
# Once the server has answered `Connection: close`, the rest of the exchange (a body already
# being written) gets this long before the connection is cut.
SERVER_CLOSING_GRACE = 2.0
# Once the client is gone, the application gets this long to notice before it is cancelled;
# generous because an HTTP client may half-close and still wait for its answer.
CLIENT_GONE_GRACE = 30.0


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


class FrameSizeGuard(trio.abc.HalfCloseableStream):
    """A socket stream that passes HTTP through untouched and, once the server has answered
    101 Switching Protocols, checks the size of every incoming WebSocket message."""

    def __init__(
        self,
        stream: trio.SocketStream,
        *,
        max_message_bytes: int,
        release_after: Callable[[float], None],
    ):
        self.transport = stream
        self.socket = stream.socket  # hypercorn reads addresses from it
        self._parser: FrameSizeParser | None = None
        self._max = max_message_bytes
        # Called once the exchange is over (see _serve_connection): cancel it after a grace.
        self._release_after = release_after
        self._released = False

    def _over(self, grace: float) -> None:
        if not self._released:
            self._released = True
            self._release_after(grace)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        if self._parser is None and data[:9] == b"HTTP/1.1 ":
            head = bytes(data[:1024])
            if head.startswith(b"HTTP/1.1 101"):
                self._parser = FrameSizeParser(self._max)
            elif b"\r\nconnection: close\r\n" in head.lower():
                self._over(SERVER_CLOSING_GRACE)
        await self.transport.send_all(data)

    async def receive_some(self, max_bytes: int | None = None) -> bytes | bytearray:
        try:
            data = await self.transport.receive_some(max_bytes)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self._over(CLIENT_GONE_GRACE)
            raise
        if not data:
            self._over(CLIENT_GONE_GRACE)
        elif self._parser is not None:
            code = self._parser.feed(data)
            if code is not None:
                await self._refuse(code)
                self._over(CLIENT_GONE_GRACE)
                return b""  # hypercorn sees the end of the stream and releases everything
        return data

    async def _refuse(self, code: int) -> None:
        log.info("websocket message over the size limit", extra={"fields": {"close": code}})
        self._parser = None
        with trio.move_on_after(1):
            try:
                await self.transport.send_all(close_frame(code))
            except (trio.BrokenResourceError, trio.ClosedResourceError, trio.BusyResourceError):
                pass  # gone, or hypercorn is mid-write: the end of the stream still says it

    async def send_eof(self) -> None:
        await self.transport.send_eof()

    async def wait_send_all_might_not_block(self) -> None:
        await self.transport.wait_send_all_might_not_block()

    async def aclose(self) -> None:
        await self.transport.aclose()


async def _cancel_after(scope: trio.CancelScope, grace: float) -> None:
    await trio.sleep(grace)
    scope.cancel()


async def _serve_connection(
    app, config: HypercornConfig, context: WorkerContext, state: dict, stream: trio.SocketStream
) -> None:
    """One connection, contained: its errors end it alone, and once its exchange is over it
    cannot outlive it. hypercorn waits for the application before it lets a connection go,
    and in some states (hypercorn#225: bytes sent before the upgrade is answered) it never
    tells the application that the socket is gone; so when the guard sees the end (the server
    answered `Connection: close`, or the client left), the connection is cancelled after a
    grace period. No task watches a connection that is still in use."""
    try:
        with trio.CancelScope() as connection_scope:
            async with trio.open_nursery() as nursery:
                guarded = FrameSizeGuard(
                    stream,
                    max_message_bytes=config.websocket_max_message_size,
                    release_after=lambda grace: nursery.start_soon(
                        _cancel_after, connection_scope, grace
                    ),
                )
                await TCPServer(app, config, context, ConnectionState(state.copy()), guarded)
                nursery.cancel_scope.cancel()
    except* Exception:
        # One client's protocol error ends that connection only, never the server
        # (cancellation, a BaseException, still propagates).
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
            sockets = config.create_sockets()
            listeners = []
            urls = []
            for sock in sockets.insecure_sockets:
                sock.listen(config.backlog)
                listeners.append(trio.SocketListener(trio.socket.from_stdlib_socket(sock)))
                urls.append(f"http://{repr_socket_addr(sock.family, sock.getsockname())}")
            handler = partial(_serve_connection, asgi, config, context, lifespan_state)
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
