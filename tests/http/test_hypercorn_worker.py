"""The patched hypercorn worker (server/http/hypercorn_worker.py): it stays the patch of the
hypercorn that is installed, it never negotiates permessage-deflate, and its guard is the check
of API.md's 64 KiB limit, whatever the client offers. Raw sockets: trio-websocket offers no
extension, and browsers do."""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.events
import pytest
import trio

from server.http.hypercorn_worker import HYPERCORN_VERSION
from server.realtime import protocol
from tests.rawsocket import (
    BINARY,
    CONTINUATION,
    RSV1,
    TEXT,
    client_frame,
    open_raw_websocket,
    raw_connect,
    read_until_closed,
)
from tests.realtime.wsclient import FRAME_DEADLINE

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
# What Chrome and Firefox send with every WebSocket upgrade.
DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"
PING = b'{"type": "ping"}'
KIB = 1024


def test_the_installed_hypercorn_is_the_one_the_patch_was_written_against():
    installed = importlib.metadata.version("hypercorn")
    assert installed == HYPERCORN_VERSION, (
        f"hypercorn {installed} is installed, but server/http/hypercorn_worker.py patches "
        f"hypercorn {HYPERCORN_VERSION}. Re-read the upstream files its docstring names in "
        f"hypercorn {installed}, update the patch and its list of deviations, then "
        "HYPERCORN_VERSION and the pin in pyproject.toml."
    )


def test_pyproject_pins_that_hypercorn():
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert f"hypercorn=={HYPERCORN_VERSION}" in dependencies


async def next_pong(socket) -> None:
    """Frames until the pong, none of them compressed."""
    while True:
        first, payload = await socket.next_frame()
        assert not first & RSV1, (first, payload)
        if first & 0x0F == TEXT and json.loads(payload)["type"] == "pong":
            return


async def test_an_offer_of_permessage_deflate_is_declined(server, alice):
    async with open_raw_websocket(
        server, alice.client.cookies["sid"], extensions=DEFLATE_OFFER
    ) as socket:
        assert socket.head.startswith(b"HTTP/1.1 101")
        assert b"sec-websocket-extensions" not in socket.head.lower()
        await socket.stream.send_all(client_frame(TEXT, PING))
        await next_pong(socket)


async def test_a_60_kib_message_passes(server, alice):
    async with open_raw_websocket(
        server, alice.client.cookies["sid"], extensions=DEFLATE_OFFER
    ) as socket:
        await socket.stream.send_all(client_frame(TEXT, PING.ljust(60 * KIB)))  # JSON whitespace
        await next_pong(socket)


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([client_frame(TEXT, b" " * 70 * KIB)], protocol.CLOSE_MESSAGE_TOO_BIG),
        # 35 Ki characters, 70 KiB: the limit counts bytes
        ([client_frame(TEXT, "é".encode() * 35 * KIB)], protocol.CLOSE_MESSAGE_TOO_BIG),
        (
            [
                client_frame(TEXT, b" " * 35 * KIB, fin=False),
                client_frame(CONTINUATION, b" " * 35 * KIB),
            ],
            protocol.CLOSE_MESSAGE_TOO_BIG,
        ),
        ([client_frame(BINARY, b"\0" * 70 * KIB)], protocol.CLOSE_UNSUPPORTED_DATA),
    ],
    ids=["text", "two-byte-characters", "text-in-two-frames", "binary"],
)
async def test_a_70_kib_message_is_refused(server, alice, frames, code):
    async with open_raw_websocket(
        server, alice.client.cookies["sid"], extensions=DEFLATE_OFFER
    ) as socket:
        await socket.stream.send_all(b"".join(frames))
        assert await socket.close_code() == code
    with trio.fail_after(FRAME_DEADLINE):
        await server.router.wait_no_sockets()


async def test_a_compressed_message_ends_the_socket(server, alice):
    """70 KiB that deflate makes 91 bytes: had compression been negotiated, the guard, which
    counts the bytes on the wire, would let it through. It is not, so the compressed bit is a
    protocol error, which closes the socket with 1002."""
    deflate = zlib.compressobj(wbits=-15)  # raw deflate, as RFC 7692 frames it
    payload = deflate.compress(b" " * 70 * KIB) + deflate.flush(zlib.Z_SYNC_FLUSH)
    frame = bytearray(client_frame(TEXT, payload.removesuffix(b"\0\0\xff\xff")))
    frame[0] |= RSV1
    async with open_raw_websocket(
        server, alice.client.cookies["sid"], extensions=DEFLATE_OFFER
    ) as socket:
        await socket.stream.send_all(frame)
        assert await socket.close_code() == 1002
        assert await socket.rest() == b""
    with trio.fail_after(FRAME_DEADLINE):
        await server.router.wait_no_sockets()


async def test_a_websocket_over_http2_is_refused(server, alice):
    """hypercorn accepts WebSockets over cleartext HTTP/2 (RFC 8441), whose frames the guard
    cannot read: such an upgrade never reaches the application."""
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    upgrade = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),  # allowed once the server's SETTINGS announce it
        (":scheme", "http"),
        (":path", "/ws"),
        (":authority", urlsplit(server.url).netloc),
        ("sec-websocket-version", "13"),
        ("cookie", f"sid={alice.client.cookies['sid']}"),
    ]
    response = None
    async with await raw_connect(server) as stream:
        await stream.send_all(client.data_to_send())
        with trio.fail_after(FRAME_DEADLINE):
            while response is None:
                data = await stream.receive_some(65536)
                assert data, "the server closed the connection"
                for event in client.receive_data(data):
                    if isinstance(event, h2.events.RemoteSettingsChanged) and upgrade:
                        client.send_headers(1, upgrade)
                        upgrade = None
                    elif isinstance(event, h2.events.ResponseReceived):
                        response = dict(event.headers)
                await stream.send_all(client.data_to_send())
    assert response[b":status"] == b"403"
    assert server.router.open_sockets == 0


async def read_response(stream: trio.SocketStream) -> bytes:
    """One whole HTTP/1.1 response with a Content-Length: its status line."""
    received = bytearray()
    with trio.fail_after(FRAME_DEADLINE):
        while b"\r\n\r\n" not in received:
            chunk = await stream.receive_some(65536)
            assert chunk, "the server closed the connection before answering"
            received.extend(chunk)
        head, _, body = bytes(received).partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += await stream.receive_some(65536)
    return head.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/health"), ("POST", "/api/posts")],  # no body read; refused before reading it
)
async def test_an_answer_given_before_the_body_came_closes_the_connection(server, method, path):
    """A request whose body has not come yet (browsers often send it in a packet of its own),
    answered without reading it: the server cannot reuse the connection, so it closes it.
    Before deviation 7 it kept it open and never answered the next request on it."""
    host = urlsplit(server.url).netloc
    async with await raw_connect(server) as stream:
        await stream.send_all(
            f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n".encode()
        )
        first = await read_response(stream)
        assert first.split()[1] in (b"200", b"401"), first
        assert await read_until_closed(stream) == b""
