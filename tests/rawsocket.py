"""Raw bytes on a real socket, for what well-behaved clients cannot send or do not offer:
hand-made upgrade requests and WebSocket frames, and the server's frames read back."""

from __future__ import annotations

import base64
import os
import struct
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import trio

from tests.realtime.wsclient import FRAME_DEADLINE

CONTINUATION, TEXT, BINARY, CLOSE = 0x0, 0x1, 0x2, 0x8
RSV1 = 0x40  # set on a frame compressed by permessage-deflate


def upgrade_request(
    host: str, cookie: str | None = None, *, extensions: str | None = None
) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /ws HTTP/1.1",
        f"Host: {host}",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        f"Sec-WebSocket-Key: {key}",
    ]
    if cookie:
        lines.append(f"Cookie: sid={cookie}")
    if extensions:
        lines.append(f"Sec-WebSocket-Extensions: {extensions}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def masked_frame_header(opcode: int, length: int) -> bytes:
    """A client frame header with an all-zero mask key, so the payload goes as it is."""
    return bytes([0x80 | opcode, 0x80 | 127]) + struct.pack(">Q", length) + b"\0\0\0\0"


def client_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """A whole client frame (all-zero mask key), its length in as few bytes as RFC 6455 allows
    (wsproto refuses a longer form)."""
    length = len(payload)
    if length < 126:
        size = bytes([0x80 | length])
    elif length < 1 << 16:
        size = bytes([0x80 | 126]) + struct.pack(">H", length)
    else:
        size = bytes([0x80 | 127]) + struct.pack(">Q", length)
    return bytes([(0x80 if fin else 0) | opcode]) + size + b"\0\0\0\0" + payload


def close_frame_from_client(code: int = 1000) -> bytes:
    return client_frame(CLOSE, code.to_bytes(2, "big"))


async def raw_connect(server) -> trio.SocketStream:
    parts = urlsplit(server.url)
    return await trio.open_tcp_stream(parts.hostname, parts.port)


async def read_until_closed(stream: trio.SocketStream) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = bytearray()
    with trio.fail_after(FRAME_DEADLINE):
        while chunk := await stream.receive_some(65536):
            received.extend(chunk)
    return bytes(received)


@dataclass
class RawWebSocket:
    """A WebSocket on a raw stream: `head` is the server's answer to the upgrade request."""

    stream: trio.SocketStream
    head: bytes
    _buffer: bytearray = field(default_factory=bytearray)

    async def _fill(self, size: int) -> None:
        while len(self._buffer) < size:
            chunk = await self.stream.receive_some(65536)
            if not chunk:
                raise EOFError("the server closed the connection")
            self._buffer.extend(chunk)

    async def next_frame(self) -> tuple[int, bytes]:
        """The server's next frame: its first byte (FIN, RSV bits, opcode) and its payload."""
        with trio.fail_after(FRAME_DEADLINE):
            await self._fill(2)
            length, start = self._buffer[1] & 0x7F, 2
            if length >= 126:
                start += 2 if length == 126 else 8
                await self._fill(start)
                length = int.from_bytes(self._buffer[2:start], "big")
            await self._fill(start + length)
            first, payload = self._buffer[0], bytes(self._buffer[start : start + length])
            del self._buffer[: start + length]
            return first, payload

    async def rest(self) -> bytes:
        """Everything the server sends until it closes the connection."""
        return bytes(self._buffer) + await read_until_closed(self.stream)

    async def close_code(self) -> int:
        """The code of the server's Close frame (frames before it are skipped)."""
        while True:
            first, payload = await self.next_frame()
            if first & 0x0F == CLOSE:
                return int.from_bytes(payload[:2], "big")


@asynccontextmanager
async def open_raw_websocket(server, cookie: str | None, *, extensions: str | None = None):
    stream = await raw_connect(server)
    async with stream:
        await stream.send_all(
            upgrade_request(urlsplit(server.url).netloc, cookie, extensions=extensions)
        )
        received = bytearray()
        with trio.fail_after(FRAME_DEADLINE):
            while b"\r\n\r\n" not in received:
                received.extend(await stream.receive_some(65536))
        head, _, rest = bytes(received).partition(b"\r\n\r\n")
        yield RawWebSocket(stream, head + b"\r\n", bytearray(rest))
