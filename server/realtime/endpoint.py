"""GET /ws as a plain ASGI endpoint: the upgrade is checked like an unsafe request (Origin, then
the session cookie), then the socket belongs to a SessionActor.

It bypasses Quart on purpose. Quart's websocket wrapper spends a nursery, two tasks, a channel
and a copy of every header on each socket, and a layer of calls on each frame; at ten thousand
idle sockets that is megabytes, and in a group fan-out it is latency. HTTP routes stay in Quart.

A socket's life, in order: its session is checked, and its user's sockets here counted against
the cap; it is registered with the router (on a Redis bus: and its user's channel subscribed);
then its user's card, groups and contacts are read and its presence announced (so a membership
change after the registration is never missed, server/realtime/router.py); then (on a Redis bus:
once its groups' channels are subscribed) it is accepted and the actor runs. Whatever happens after
the announcement, the `finally` announces the departure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from server.db.database import Database
from server.domain import sessions
from server.domain.sessions import Sessions
from server.errors import ApiError, ForbiddenOrigin, RateLimited, Unauthenticated, Unavailable
from server.logs import note_user
from server.origins import origin_allowed
from server.realtime import presence
from server.realtime.actor import Disconnected, SessionActor
from server.realtime.ephemeral import EphemeralPublisher
from server.realtime.router import Router
from server.wire import FRAMES_EXTENSION

PATH = "/ws"
# Open sockets per user in this process: a browser holds one per tab, and someone with twenty
# tabs open is rare; the cap stops one session from holding thousands (each costs memory here
# and a share of every fan-out). The upgrade beyond it answers 429.
MAX_SOCKETS_PER_USER = 20
# Retry-After of that refusal: when one of the user's sockets closes is anyone's guess.
SOCKET_CAP_RETRY_SECONDS = 30
TOO_MANY_SOCKETS = "Too many open connections for this account; close a tab and try again."


@dataclass
class RealtimeServices:
    """What the endpoint needs; built by the composition root (server/service.py)."""

    allowed_origins: tuple[str, ...]
    db: Database
    sessions: Sessions
    router: Router
    # Typing and presence leave without a round trip of the socket's own.
    ephemeral: EphemeralPublisher
    # Client frame type -> handler (server/realtime/chat.py the chat frames, live.py `watch`).
    handlers: dict = field(default_factory=dict)


class AsgiSocket:
    """The WebSocket as a SessionActor sees it: ASGI's receive and close, and frames written
    below ASGI (server/wire.py: encoded once per audience by the router, no ASGI message and no
    wsproto encoding per socket)."""

    def __init__(self, receive, send, send_frames):
        self._receive = receive
        self._send = send
        self.send_frames = send_frames

    async def receive(self) -> str | bytes:
        event = await self._receive()
        kind = event["type"]
        if kind == "websocket.receive":
            text = event.get("text")
            return text if text is not None else (event.get("bytes") or b"")
        if kind == "websocket.disconnect":
            raise Disconnected()
        return await self.receive()  # nothing else is expected once connected

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
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        if isinstance(error, RateLimited):
            headers.append((b"retry-after", str(error.retry_after).encode()))
        await send(
            {
                "type": "websocket.http.response.start",
                "status": error.status,
                "headers": headers,
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
        origin, headers.get("host", ""), scope.get("scheme", "ws"), services.allowed_origins
    ):
        await _refuse(scope, send, ForbiddenOrigin())
        return
    token = sessions.token_from_cookie_header(headers.get("cookie", ""))
    try:
        session = await services.sessions.authenticate(token)
    except Unavailable as error:
        await _refuse(scope, send, error)
        return
    if session is None:
        await _refuse(scope, send, Unauthenticated())
        return
    note_user(session.user_id)
    router = services.router
    if not router.bus_ready:
        # Events published now would not reach this socket: the client retries shortly.
        await _refuse(scope, send, Unavailable())
        return
    # Counted and registered with no checkpoint between: two upgrades cannot both pass the cap.
    if len(router.connections_of(session.user_id)) >= MAX_SOCKETS_PER_USER:
        await _refuse(scope, send, RateLimited(SOCKET_CAP_RETRY_SECONDS, TOO_MANY_SOCKETS))
        return
    send_frames = scope.get("extensions", {}).get(FRAMES_EXTENSION)
    if send_frames is None:
        raise RuntimeError("/ws needs server/http/hypercorn_worker.py (it writes frames itself)")
    socket = AsgiSocket(receive, send, send_frames)
    actor = SessionActor(
        socket,
        user_id=session.user_id,
        session_id=session.id,
        handlers=services.handlers,
    )
    # Registered before its groups are read, accepted once they are: from the client's first
    # moment on the socket, every event of its groups reaches it.
    # On a bus of channels, the user's channel is heard before the groups are read, and the
    # groups' channels before the socket is accepted.
    router.register(actor)
    contacts = None
    try:
        try:
            await router.wait_subscribed(session.user_id)
            context = await services.db.transaction(
                presence.arrive, session.user_id, router.process_id
            )
        except Unavailable as error:
            await _refuse(scope, send, error)
            return
        if context is None:  # the account is gone
            await _refuse(scope, send, Unauthenticated())
            return
        contacts = context.contacts  # announced: the finally below must say goodbye
        router.groups_loaded(actor, context.group_ids)
        try:
            await router.wait_subscribed(session.user_id)
        except Unavailable as error:
            await _refuse(scope, send, error)
            return
        actor.memo["card"] = context.card
        await send({"type": "websocket.accept"})
        for frame in presence.snapshot(router, contacts):
            actor.send_frame(frame)
        await actor.run()
    finally:
        # Synchronous on purpose: no checkpoint, so no cancellation can interrupt it.
        router.unregister(actor)
        if contacts is not None:
            services.ephemeral.publish_nowait(
                presence.leave(session.user_id, contacts, router.process_id)
            )
