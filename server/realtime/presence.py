"""Who is online, for the people one follows or is followed by (SPEC.md, Chat: a welcome
extra). Every socket that opens or closes publishes a presence event; every router counts
sockets per user from those events, and tells the user's contacts on its own sockets when
the user comes online or leaves. Ephemeral: nothing is stored.

A router that starts after others knows only what it has heard since; a process that dies
leaves its users counted online until their sockets elsewhere close. Both are acceptable for
an indicator, and cheap to replace with a store of heartbeats if ever needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.db import groups, sessions
from server.realtime import bus, protocol
from server.realtime.router import Router
from server.shapes import card_from_row

SESSION_CONTEXT = """
SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id,
       ARRAY(
           SELECT followee_id FROM follows WHERE follower_id = u.id
           UNION
           SELECT follower_id FROM follows WHERE followee_id = u.id
       ) AS contacts
FROM users u WHERE u.id = $1
"""


@dataclass(frozen=True, slots=True)
class SocketContext:
    session_id: int
    user_id: int
    card: dict
    group_ids: list[int]
    contacts: list[int]


async def open_socket_session(conn: asyncpg.Connection, token: str) -> SocketContext | None:
    """Everything a new socket needs, in one crossing: its live session, the user's card,
    groups and contacts; and the announcement that the user has one more socket open.
    None when the token names no live session."""
    found = await sessions.touch_session(conn, token)
    if found is None:
        return None
    session_id, user_id, _ = found
    row = await conn.fetchrow(SESSION_CONTEXT, user_id)
    contacts = list(row["contacts"])
    await bus.publish(conn, event(user_id, contacts, delta=+1))
    return SocketContext(
        session_id=session_id,
        user_id=user_id,
        card=card_from_row(row),
        group_ids=await groups.group_ids_of(conn, user_id),
        contacts=contacts,
    )


def snapshot(router: Router, contacts: list[int]) -> list[str]:
    """Presence frames for the contacts online now, for a socket that just opened."""
    return [
        protocol.dump({"type": "presence", "user_id": contact, "online": True})
        for contact in contacts
        if router.is_online(contact)
    ]


def event(user_id: int, contacts: list[int], *, delta: int) -> dict:
    """Every contact, not only those online as this process sees them: a contact whose own
    socket opened a moment ago may not be known here yet, and each router delivers only to
    the sockets it holds. A long list travels in chunks (server/realtime/bus.py)."""
    return bus.presence(user_id, delta=delta, contacts=contacts)
