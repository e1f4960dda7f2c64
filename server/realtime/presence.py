"""Who is online, for the people one follows or is followed by (SPEC.md, Chat: a welcome
extra). Every socket that opens or closes publishes a presence event; every router counts
sockets per user and process from those events (server/realtime/presence_board.py), and tells
the user's contacts on its own sockets when the user comes online or leaves. Ephemeral:
nothing is stored.

Counts never drift for long: each process's presence keeper publishes a snapshot of its sockets
every `SNAPSHOT_SECONDS`, and at once when a router asks (one that just started, or whose bus
connection came back: it knows nothing true any more). A process not heard from for
`EXPIRE_SECONDS` died, and its users are forgotten. A correction that a snapshot makes is not
announced to contacts already connected: their indicator is set right when they reconnect.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import NoReturn

import asyncpg
import trio

from server.db import users
from server.db.database import Database, emit
from server.errors import Unavailable
from server.events import PresenceChanged, PresenceSnapshot, PresenceSyncRequested
from server.realtime import protocol
from server.realtime.router import Router
from server.shapes import card_from_row

log = logging.getLogger("socialnet.presence")

SNAPSHOT_SECONDS = 30.0
# Two snapshots missed and most of a third: that process is gone.
EXPIRE_SECONDS = 2.5 * SNAPSHOT_SECONDS


@dataclass(frozen=True, slots=True)
class SocketContext:
    card: dict
    group_ids: tuple[int, ...]
    contacts: tuple[int, ...]


async def arrive(conn: asyncpg.Connection, user_id: int, process: str) -> SocketContext | None:
    """Everything a new socket needs, read after it registered with the router, and the
    announcement that its user has one more socket open, in one crossing. None when the user
    is gone."""
    row = await users.select_socket_context(conn, user_id)
    if row is None:
        return None
    contacts = tuple(row["contacts"])
    emit(conn, PresenceChanged(user_id, +1, contacts, process))
    return SocketContext(card_from_row(row), tuple(row["group_ids"]), contacts)


def leave(user_id: int, contacts: tuple[int, ...], process: str) -> PresenceChanged:
    """The announcement that a socket of `user_id` closed."""
    return PresenceChanged(user_id, -1, contacts, process)


def snapshot(router: Router, contacts: tuple[int, ...]) -> list[protocol.PresenceFrame]:
    """Presence frames for the contacts online now, for a socket that just opened."""
    return [
        protocol.PresenceFrame(contact, True) for contact in contacts if router.is_online(contact)
    ]


async def keep_presence(
    router: Router, db: Database, *, task_status=trio.TASK_STATUS_IGNORED
) -> NoReturn:
    """Publish this process's snapshot every SNAPSHOT_SECONDS, and when a router asks; after
    this router lost count (its bus came back, or it just started) ask every process too.
    Forget the processes that fell silent."""
    task_status.started()
    while True:
        asked = False
        with trio.move_on_after(SNAPSHOT_SECONDS):
            await router.wait_presence_sync()
            asked = True
        batch = [PresenceSnapshot(router.process_id, tuple(router.users_here()))]
        if asked and not router.presence_known:
            batch.append(PresenceSyncRequested(router.process_id))
        try:
            await db.publish(*batch)
        except Unavailable:
            log.warning("presence snapshot not published: the database is away")
        else:
            router.presence_known = True
        gone = router.presence.expire(time.monotonic(), EXPIRE_SECONDS)
        if gone:
            log.info("forgot the presence of %d silent processes", len(gone))
