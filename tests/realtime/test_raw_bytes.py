"""Whatever bytes a client sends, the server keeps serving everyone else, and it releases the
connections it closes. Raw sockets, because well-behaved clients cannot send these."""

from __future__ import annotations

import base64
import os
import struct
from urllib.parse import urlsplit

import pytest
import trio

from server.realtime import protocol
from tests.realtime.wsclient import FRAME_DEADLINE, open_socket, ping


def upgrade_request(host: str, cookie: str | None = None) -> bytes:
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
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def masked_frame_header(opcode: int, length: int) -> bytes:
    """A client frame header with an all-zero mask key, so the payload goes as it is."""
    return bytes([0x80 | opcode, 0x80 | 127]) + struct.pack(">Q", length) + b"\0\0\0\0"


def close_frame_from_client(code: int = 1000) -> bytes:
    return bytes([0x88, 0x80 | 2]) + b"\0\0\0\0" + code.to_bytes(2, "big")


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


async def assert_still_serving(server, new_client, bystander) -> None:
    assert (await new_client().get("/api/health")).status_code == 200
    await ping(bystander)


async def test_a_byte_after_the_upgrade_request_does_not_kill_the_server(server, alice, new_client):
    """hypercorn#225: this request used to end the whole process."""
    host = urlsplit(server.url).netloc
    async with open_socket(server, alice) as bystander:
        for cookie in (None, alice.client.cookies["sid"]):
            stream = await raw_connect(server)
            await stream.send_all(upgrade_request(host, cookie) + b"x")
            await read_until_closed(stream)
            await stream.aclose()
            await assert_still_serving(server, new_client, bystander)


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\xff\x10garbage\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00" * 50,
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    ],
    ids=["binary", "negative-length", "bad-chunk", "ws-without-key", "h2-preface", "long-line"],
)
async def test_malformed_bytes_end_only_their_own_connection(server, alice, new_client, garbage):
    async with open_socket(server, alice) as bystander:
        stream = await raw_connect(server)
        await stream.send_all(garbage)
        await stream.send_eof()
        await read_until_closed(stream)
        await stream.aclose()
        await assert_still_serving(server, new_client, bystander)


async def test_an_oversized_frame_is_refused_early_and_the_connection_released(server, alice):
    host = urlsplit(server.url).netloc
    stream = await raw_connect(server)
    await stream.send_all(upgrade_request(host, alice.client.cookies["sid"]))
    handshake = bytearray()
    with trio.fail_after(FRAME_DEADLINE):
        while b"\r\n\r\n" not in handshake:
            handshake.extend(await stream.receive_some(4096))
    assert handshake.startswith(b"HTTP/1.1 101")

    # Announce a 1 MiB text frame and send only the start of it.
    size = 1024 * 1024
    await stream.send_all(masked_frame_header(0x1, size) + b"a" * 1000)
    with trio.fail_after(FRAME_DEADLINE):
        reply = bytes(await stream.receive_some(4096))
    assert reply[:1] == b"\x88"  # a Close frame...
    assert int.from_bytes(reply[2:4], "big") == protocol.CLOSE_MESSAGE_TOO_BIG  # ...with 1009

    # The rest of the frame arrives together with the client's Close reply: the server must
    # still let go of the connection (hypercorn alone kept it, and its task, forever).
    try:
        await stream.send_all(b"a" * (size - 1000) + close_frame_from_client())
    except trio.BrokenResourceError:
        pass  # the server had already closed: released, which is what we check below
    await read_until_closed(stream)
    await stream.aclose()
    with trio.fail_after(FRAME_DEADLINE):
        await server.router.wait_no_sockets()


async def test_an_oversized_binary_frame_closes_with_1003(server, alice):
    host = urlsplit(server.url).netloc
    stream = await raw_connect(server)
    await stream.send_all(upgrade_request(host, alice.client.cookies["sid"]))
    with trio.fail_after(FRAME_DEADLINE):
        handshake = bytearray()
        while b"\r\n\r\n" not in handshake:
            handshake.extend(await stream.receive_some(4096))
        await stream.send_all(masked_frame_header(0x2, 200_000))
        reply = bytes(await stream.receive_some(4096))
    assert int.from_bytes(reply[2:4], "big") == protocol.CLOSE_UNSUPPORTED_DATA
    await stream.aclose()
