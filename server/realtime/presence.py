"""Who is online, for the people one follows or is followed by (SPEC.md, Chat: a welcome
extra). Every socket that opens or closes publishes a presence event; every router counts
sockets per user from those events, and tells the user's contacts on its own sockets when
the user comes online or leaves. Ephemeral: nothing is stored.

A router that starts after others knows only what it has heard since, and one that lost its bus
connection starts counting afresh (server/realtime/router.py); both are acceptable for an
indicator, and cheap to replace with a store of heartbeats if ever needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.db import users
from server.db.database import emit
from server.events import PresenceChanged
from server.realtime import protocol
from server.realtime.router import Router
from server.shapes import card_from_row


@dataclass(frozen=True, slots=True)
class SocketContext:
    card: dict
    group_ids: tuple[int, ...]
    contacts: tuple[int, ...]


async def arrive(conn: asyncpg.Connection, user_id: int) -> SocketContext | None:
    """Everything a new socket needs, read after it registered with the router, and the
    announcement that its user has one more socket open, in one crossing. None when the user
    is gone."""
    row = await users.select_socket_context(conn, user_id)
    if row is None:
        return None
    contacts = tuple(row["contacts"])
    emit(conn, PresenceChanged(user_id, +1, contacts))
    return SocketContext(card_from_row(row), tuple(row["group_ids"]), contacts)


def leave(user_id: int, contacts: tuple[int, ...]) -> PresenceChanged:
    """The announcement that a socket of `user_id` closed."""
    return PresenceChanged(user_id, -1, contacts)


def snapshot(router: Router, contacts: tuple[int, ...]) -> list[str]:
    """Presence frames for the contacts online now, for a socket that just opened."""
    return [
        protocol.dump_server_frame(protocol.PresenceFrame(contact, True))
        for contact in contacts
        if router.is_online(contact)
    ]
