"""GET /ws as a plain ASGI endpoint: the upgrade is checked like an unsafe request (Origin, then
the session cookie), then the socket belongs to a SessionActor.

It bypasses Quart on purpose. Quart's websocket wrapper spends a nursery, two tasks, a channel
and a copy of every header on each socket, and a layer of calls on each frame; at ten thousand
idle sockets that is megabytes, and in a group fan-out it is latency. HTTP routes stay in Quart.

A socket's life, in order: its session is checked; it is registered with the router; then its
user's card, groups and contacts are read and its presence announced (so a membership change
after the registration is never missed, server/realtime/router.py); then it is accepted and the
actor runs. Whatever happens after the announcement, the `finally` announces the departure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import trio

from server.db.database import Database
from server.domain import sessions
from server.domain.sessions import Sessions
from server.errors import ApiError, ForbiddenOrigin, Unauthenticated, Unavailable
from server.origins import origin_allowed
from server.realtime import presence
from server.realtime.actor import Disconnected, SessionActor
from server.realtime.router import Router

PATH = "/ws"
# Announcing that a socket closed must not hold its task for long.
PRESENCE_DEADLINE_SECONDS = 2


@dataclass
class RealtimeServices:
    """What the endpoint needs; built by the composition root (server/service.py)."""

    allowed_origins: tuple[str, ...]
    db: Database
    sessions: Sessions
    router: Router
    # Client frame type -> handler (server/realtime/chat.py the chat frames, live.py `watch`).
    handlers: dict = field(default_factory=dict)


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


async def serve_socket(services: RealtimeServices, scope, receive, send) -> None:
    """One WebSocket, from the upgrade request to its end."""
    if (await receive())["type"] != "websocket.connect":
        return
    headers = _headers(scope)
    origin = headers.get("origin")
    if origin is not None and not origin_allowed(
        origin, headers.get("host", ""), services.allowed_origins
    ):
        await _refuse(scope, send, ForbiddenOrigin())
        return
    token = sessions.token_from_cookie_header(headers.get("cookie", ""))
    session = await services.sessions.authenticate(token)
    if session is None:
        await _refuse(scope, send, Unauthenticated())
        return
    router = services.router
    if not router.bus_ready:
        # Events published now would not reach this socket: the client retries shortly.
        await _refuse(scope, send, Unavailable())
        return
    actor = SessionActor(
        AsgiSocket(receive, send),
        user_id=session.user_id,
        session_id=session.id,
        handlers=services.handlers,
    )
    # Registered before its groups are read, accepted once they are: from the client's first
    # moment on the socket, every event of its groups reaches it.
    router.register(actor)
    contacts = None
    try:
        context = await services.db.transaction(presence.arrive, session.user_id)
        if context is None:  # the account is gone
            await _refuse(scope, send, Unauthenticated())
            return
        contacts = context.contacts  # announced: the finally below must say goodbye
        router.groups_loaded(actor, context.group_ids)
        actor.memo["card"] = context.card
        await send({"type": "websocket.accept"})
        for frame in presence.snapshot(router, contacts):
            actor.deliver_nowait(frame)
        await actor.run()
    finally:
        # Synchronous on purpose: no checkpoint, so no cancellation can interrupt it.
        router.unregister(actor)
        if contacts is not None:
            with trio.move_on_after(PRESENCE_DEADLINE_SECONDS) as deadline:
                deadline.shield = True
                await services.db.publish(presence.leave(session.user_id, contacts))
