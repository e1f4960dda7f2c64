"""WebSocket helpers for tests: a logged-in socket per persona, and frame waiting with deadlines."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import trio
from trio_websocket import open_websocket_url

# Long enough for a loaded CI machine, short enough that a lost frame fails the test quickly.
FRAME_DEADLINE = 5


@asynccontextmanager
async def open_socket(
    server, persona=None, *, cookie: str | None = None, origin: str | None = None
):
    headers = []
    token = (
        cookie if cookie is not None else (persona.client.cookies.get("sid") if persona else None)
    )
    if token is not None:
        headers.append(("Cookie", f"sid={token}"))
    if origin is not None:
        headers.append(("Origin", origin))
    async with open_websocket_url(server.ws_url, extra_headers=headers) as socket:
        yield socket


async def next_frame(socket, *, type: str | None = None) -> dict:
    """The next frame (of `type`, skipping others such as presence), within the deadline."""
    with trio.fail_after(FRAME_DEADLINE):
        while True:
            frame = json.loads(await socket.get_message())
            if type is None or frame.get("type") == type:
                return frame


async def ping(socket) -> None:
    """A round trip: every frame the server queued before this one has been received after it."""
    await socket.send_message(json.dumps({"type": "ping"}))
    await next_frame(socket, type="pong")


async def assert_no_frame(socket, *, type: str, kind: str | None = None) -> None:
    """Nothing of `type` (a notification of `kind`, if given) is queued for this socket.
    Call it after the intended recipient got its frame: the router puts one event into every
    mailbox in one synchronous step, so a frame for this socket would be queued before the pong
    that answers this ping."""
    await socket.send_message(json.dumps({"type": "ping"}))
    with trio.fail_after(FRAME_DEADLINE):
        while True:
            frame = json.loads(await socket.get_message())
            if kind is None:
                assert frame.get("type") != type, frame
            elif frame.get("type") == type:
                assert frame["notification"]["kind"] != kind, frame
            if frame.get("type") == "pong":
                return


async def next_notification(socket, kind: str) -> dict:
    """The next notification of `kind` (skipping others, such as updates of answered ones)."""
    with trio.fail_after(FRAME_DEADLINE):
        while True:
            frame = await next_frame(socket, type="notification")
            if frame["notification"]["kind"] == kind:
                return frame["notification"]


async def watch(socket, feeds=(), posts=()) -> None:
    """Say what the tab shows, and wait until the server has taken it in (the socket handles
    frames in order, so the pong comes after the watch is in place)."""
    await socket.send_message(
        json.dumps({"type": "watch", "feeds": list(feeds), "posts": list(posts)})
    )
    await ping(socket)


async def queued_live_frames(socket) -> list[dict]:
    """The post.* and comment.* frames queued for this socket, in order (the ping/pong ordering
    of assert_no_frame: call it after the intended recipients got theirs)."""
    await socket.send_message(json.dumps({"type": "ping"}))
    frames = []
    with trio.fail_after(FRAME_DEADLINE):
        while True:
            frame = json.loads(await socket.get_message())
            if frame["type"] == "pong":
                return frames
            if frame["type"].startswith(("post.", "comment.")):
                frames.append(frame)


async def assert_no_live_frame(socket) -> None:
    """No post.* or comment.* frame is queued for this socket."""
    assert await queued_live_frames(socket) == []
