"""GET /ws as a plain ASGI endpoint: the upgrade is checked like an unsafe request (Origin, then
the session cookie), then the socket belongs to a SessionActor.

It bypasses Quart on purpose. Quart's websocket wrapper spends a nursery, two tasks, a channel
and a copy of every header on each socket, and a layer of calls on each frame; at ten thousand
idle sockets that is megabytes, and in a group fan-out it is latency. HTTP routes stay in Quart.
"""

from __future__ import annotations

import json

import trio
from werkzeug.http import parse_cookie

from server.errors import ApiError, ForbiddenOrigin, Unauthenticated
from server.http.context import Services
from server.http.guards import origin_allowed, session_token
from server.realtime import bus, presence
from server.realtime.actor import Disconnected, SessionActor

PATH = "/ws"
# Announcing that a socket closed must not hold its task for long.
PRESENCE_DEADLINE_SECONDS = 2


class AsgiSocket:
    """The WebSocket as a SessionActor sees it, over the ASGI receive/send callables."""

    def __init__(self, receive, send):
        self._receive = receive
        self._send = send

    async def receive(self) -> str | bytes:
        event = await self._receive()
        kind = event["type"]
        if kind == "websocket.receive":
            text = event.get("text")
            return text if text is not None else (event.get("bytes") or b"")
        if kind == "websocket.disconnect":
            raise Disconnected()
        return await self.receive()  # nothing else is expected once connected

    async def send(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})

    async def close(self, code: int, reason: str = "") -> None:
        await self._send({"type": "websocket.close", "code": code, "reason": reason})


def _headers(scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name, value = raw_name.decode("latin1").lower(), raw_value.decode("latin1")
        found[name] = f"{found[name]}; {value}" if name == "cookie" and name in found else value
    return found


def _session_token(headers: dict[str, str]) -> str | None:
    # Parsed as Quart parses HTTP requests' cookies (werkzeug), so a cookie the two would read
    # differently cannot sign someone in over HTTP and out of the socket.
    return session_token(parse_cookie(headers.get("cookie", "")))


async def _refuse(scope, send, error: ApiError) -> None:
    """Answer the upgrade with the contract's JSON error (or a bare close where the server
    cannot send an HTTP response to an upgrade)."""
    if "websocket.http.response" in scope.get("extensions", {}):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": error.status,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send(
            {"type": "websocket.http.response.body", "body": json.dumps(error.to_json()).encode()}
        )
    else:
        await send({"type": "websocket.close", "code": 1008})


async def serve_socket(services: Services, scope, receive, send) -> None:
    """One WebSocket, from the upgrade request to its end."""
    if (await receive())["type"] != "websocket.connect":
        return
    headers = _headers(scope)
    origin = headers.get("origin")
    if origin is not None and not origin_allowed(
        origin, headers.get("host", ""), services.config.allowed_origins
    ):
        await _refuse(scope, send, ForbiddenOrigin())
        return
    token = _session_token(headers)
    router = services.router
    context = None
    if token is not None:
        context = await services.db.run(presence.open_socket_session, token)
    if context is None:
        await _refuse(scope, send, Unauthenticated())
        return
    await send({"type": "websocket.accept"})
    actor = SessionActor(
        AsgiSocket(receive, send),
        user_id=context.user_id,
        session_id=context.session_id,
        router=router,
        handlers=services.frame_handlers,
        group_ids=context.group_ids,
    )
    actor.memo["card"] = context.card
    for frame in presence.snapshot(router, context.contacts):
        actor.deliver_nowait(frame)
    try:
        await actor.run()
    finally:
        with trio.move_on_after(PRESENCE_DEADLINE_SECONDS) as deadline:
            deadline.shield = True
            leaving = presence.event(context.user_id, context.contacts, delta=-1)
            await services.db.run(bus.publish, leaving)
