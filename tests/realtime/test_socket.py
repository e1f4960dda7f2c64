"""/ws against a real server on a real socket: who may connect, the frames, and a server that
survives whatever bytes a client sends."""

from __future__ import annotations

import contextlib
import json

import pytest
import trio
from trio_websocket import ConnectionClosed, ConnectionRejected

from server.realtime import protocol
from tests.conftest import PASSWORD
from tests.realtime.wsclient import FRAME_DEADLINE, next_frame, open_socket, ping


async def test_ping_pong(server, alice):
    async with open_socket(server, alice) as socket:
        await socket.send_message(json.dumps({"type": "ping"}))
        assert await next_frame(socket) == {"type": "pong"}


async def test_no_session_no_socket(server, new_client):
    for cookie in (None, "forged-token"):
        with pytest.raises(ConnectionRejected) as rejected:
            async with open_socket(server, cookie=cookie):
                pass
        assert rejected.value.status_code == 401
        assert json.loads(rejected.value.body)["error"]["code"] == "unauthenticated"


async def test_foreign_origin_is_refused(server, alice):
    with pytest.raises(ConnectionRejected) as rejected:
        async with open_socket(server, alice, origin="http://evil.example"):
            pass
    assert rejected.value.status_code == 403
    async with open_socket(server, alice, origin=server.url) as socket:
        await ping(socket)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        ('{"no": "type"}', "bad_frame"),
        ('{"type": 5}', "bad_frame"),
        ('{"type": "launch.rocket"}', "unknown_type"),
        ('{"type": "chat.send", "to": {"user": "x"}, "body": "hi"}', "bad_frame"),
        ('{"type": "chat.read", "conversation": {"kind": "direct"}, "up_to": 1}', "bad_frame"),
        ("[" * 30_000, "bad_frame"),  # nesting deep enough to exhaust a naive parser
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(server, alice, text, code):
    async with open_socket(server, alice) as socket:
        await socket.send_message(text)
        assert await next_frame(socket) == {"type": "error", "code": code}
        await ping(socket)


async def test_an_oversized_text_frame_closes_with_1009(server, alice):
    async with open_socket(server, alice) as socket:
        await socket.send_message("x" * (protocol.MAX_MESSAGE_BYTES + 1))
        with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
            await socket.get_message()
        assert socket.closed.code == 1009
    await _router_forgets_every_socket(server)


async def test_a_frame_of_exactly_the_limit_is_fine(server, alice):
    async with open_socket(server, alice) as socket:
        await socket.send_message("x" * protocol.MAX_MESSAGE_BYTES)
        assert (await next_frame(socket))["code"] == "bad_frame"
        await ping(socket)


async def test_a_binary_frame_closes_with_1003(server, alice):
    async with open_socket(server, alice) as socket:
        await socket.send_message(b"\x00\x01")
        with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
            await socket.get_message()
        assert socket.closed.code == 1003


async def test_a_flood_of_frames_is_rate_limited_and_then_cut(server, alice):
    async with open_socket(server, alice) as socket:
        with contextlib.suppress(ConnectionClosed):
            for _ in range(300):
                await socket.send_message('{"type": "chat.typing", "to": {"user": 1}}')
        codes = []
        with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
            while True:
                codes.append((await next_frame(socket, type="error"))["code"])
        assert "rate_limited" in codes, (set(codes), len(codes), socket.closed)
        assert socket.closed.code == protocol.CLOSE_POLICY_VIOLATION
    async with open_socket(server, alice) as fresh:
        await ping(fresh)


async def test_logout_closes_that_sessions_sockets_only(server, alice, new_client):
    other_browser = new_client()
    await other_browser.post(
        "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    async with (
        open_socket(server, alice) as mine,
        open_socket(server, cookie=other_browser.cookies["sid"]) as theirs,
    ):
        await ping(mine)
        await ping(theirs)
        assert (await alice.client.post("/api/auth/logout")).status_code == 204
        with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
            await mine.get_message()
        assert mine.closed.code == protocol.CLOSE_SESSION_ENDED
        await ping(theirs)


async def _router_forgets_every_socket(server) -> None:
    with trio.fail_after(FRAME_DEADLINE):
        await server.router.wait_no_sockets()
