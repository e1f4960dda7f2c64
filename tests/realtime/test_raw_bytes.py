"""Whatever bytes a client sends, the server keeps serving everyone else, and it releases the
connections it closes. Raw sockets, because well-behaved clients cannot send these."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import trio

from server.realtime import protocol
from tests.rawsocket import (
    BINARY,
    CLOSE,
    CONTINUATION,
    TEXT,
    client_frame,
    close_frame_from_client,
    masked_frame_header,
    open_raw_websocket,
    raw_connect,
    read_until_closed,
    upgrade_request,
)
from tests.realtime.wsclient import FRAME_DEADLINE, open_socket, ping


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
    async with open_raw_websocket(server, alice.client.cookies["sid"]) as socket:
        assert socket.head.startswith(b"HTTP/1.1 101")

        # Announce a 1 MiB text frame and send only the start of it.
        size = 1024 * 1024
        await socket.stream.send_all(masked_frame_header(TEXT, size) + b"a" * 1000)
        first, payload = await socket.next_frame()
        assert first == 0x88  # a Close frame...
        assert int.from_bytes(payload[:2], "big") == protocol.CLOSE_MESSAGE_TOO_BIG  # ...1009

        # The rest of the frame arrives together with the client's Close reply: the server must
        # still let go of the connection (hypercorn alone kept it, and its task, forever).
        try:
            await socket.stream.send_all(b"a" * (size - 1000) + close_frame_from_client())
        except trio.BrokenResourceError:
            pass  # the server had already closed: released, which is what we check below
        await read_until_closed(socket.stream)
    with trio.fail_after(FRAME_DEADLINE):
        await server.router.wait_no_sockets()


async def test_an_oversized_binary_frame_closes_with_1003(server, alice):
    async with open_raw_websocket(server, alice.client.cookies["sid"]) as socket:
        await socket.stream.send_all(masked_frame_header(BINARY, 200_000))
        first, payload = await socket.next_frame()
    assert first == 0x88
    assert int.from_bytes(payload[:2], "big") == protocol.CLOSE_UNSUPPORTED_DATA


def _unmasked(opcode: int, payload: bytes) -> bytes:
    return bytes([0x80 | opcode, len(payload)]) + payload


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (client_frame(TEXT, b"\xff\xfe\xfd"), 1007),
        (_unmasked(TEXT, b'{"type":"ping"}'), 1002),
        (bytes([0xC1]) + client_frame(TEXT, b"{}")[1:], 1002),  # RSV1 without an extension
        (client_frame(0x3, b"x"), 1002),  # a reserved opcode
        (client_frame(0x9, b"x" * 126), 1002),  # a control frame over 125 bytes
        (client_frame(0x9, b"x", fin=False), 1002),  # a fragmented control frame
        (client_frame(CONTINUATION, b"x"), 1002),  # nothing to continue
        (client_frame(TEXT, b"{", fin=False) + client_frame(TEXT, b"{}"), 1002),
        (client_frame(CLOSE, (999).to_bytes(2, "big")), 1002),  # a Close with no valid code
    ],
    ids=[
        "invalid-utf8",
        "unmasked",
        "rsv1",
        "reserved-opcode",
        "long-control",
        "fragmented-control",
        "lone-continuation",
        "text-inside-text",
        "close-999",
    ],
)
async def test_a_malformed_frame_closes_its_socket_with_a_code(
    server, alice, bob, new_client, frame, code
):
    """SPEC.md: a malformed frame closes that socket with a close code (hypercorn alone cut the
    connection without one), and only that socket."""
    async with open_socket(server, bob) as bystander:
        async with open_raw_websocket(server, alice.client.cookies["sid"]) as socket:
            assert socket.head.startswith(b"HTTP/1.1 101")
            await socket.stream.send_all(frame)
            assert await socket.close_code() == code
        await assert_still_serving(server, new_client, bystander)
