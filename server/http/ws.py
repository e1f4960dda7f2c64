"""GET /ws: the WebSocket upgrade. Checked like an unsafe request (Origin, then the session
cookie) before it is accepted; then the connection belongs to a SessionActor."""

from __future__ import annotations

import trio
from quart import Blueprint, websocket

from server.db import sessions
from server.errors import ApiError, ForbiddenOrigin, Unauthenticated
from server.http.context import config, db, services
from server.http.guards import SESSION_COOKIE, origin_allowed
from server.realtime import bus, presence
from server.realtime.actor import SessionActor

blueprint = Blueprint("ws", __name__)

# Announcing that a socket closed must not hold its task for long.
PRESENCE_DEADLINE_SECONDS = 2


def _refusal(error: ApiError):
    return error.to_json(), error.status, {"Connection": "close"}


@blueprint.websocket("/ws")
async def ws():
    """The realtime socket (API.md, WebSocket)."""
    origin = websocket.headers.get("Origin")
    if origin is not None and not origin_allowed(
        origin, websocket.headers.get("Host", ""), config().allowed_origins
    ):
        return _refusal(ForbiddenOrigin())
    token = websocket.cookies.get(SESSION_COOKIE)
    found = await db().run(sessions.touch_session, token) if token and len(token) <= 128 else None
    if found is None:
        return _refusal(Unauthenticated())
    session_id, user_id, _ = found
    card, group_ids, contacts = await db().run(presence.load_context, user_id)
    await websocket.accept()

    router = services().router
    actor = SessionActor(
        websocket._get_current_object(),
        user_id=user_id,
        session_id=session_id,
        router=router,
        handlers=services().frame_handlers,
        group_ids=group_ids,
    )
    actor.memo["card"] = card
    for frame in presence.snapshot(router, contacts):
        actor.deliver_nowait(frame)
    await db().run(bus.publish, presence.event(router, user_id, contacts, delta=+1))
    try:
        await actor.run()
    finally:
        with trio.move_on_after(PRESENCE_DEADLINE_SECONDS) as scope:
            scope.shield = True
            await db().run(bus.publish, presence.event(router, user_id, contacts, delta=-1))
