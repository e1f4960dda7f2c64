"""The subscribing half of the bus: one task per process hears every event and feeds the router.

The publishing half lives with the writes (server/db/database.py: events are emitted inside
the transaction that causes them and travel by Postgres NOTIFY, server/db/notify.py). Here one
dedicated connection LISTENs; when it drops, what was published meanwhile is lost to this
process, so the router closes its sockets (their clients reconnect and catch up over HTTP) and
refuses new ones until the bus listens again.
"""

from __future__ import annotations

import logging
from typing import NoReturn

import asyncpg
import trio
import trio_asyncio

from server.db import notify
from server.realtime.router import Router

log = logging.getLogger("socialnet.bus")

RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)


async def listen(
    database_url: str, router: Router, *, task_status=trio.TASK_STATUS_IGNORED
) -> NoReturn:
    """LISTEN on one dedicated connection and hand every event to the router, reconnecting
    (with backoff) when the connection is lost. Reports readiness once first listening."""
    attempt = 0
    ready = False
    while True:
        lost = trio.Event()
        try:
            conn = await trio_asyncio.aio_as_trio(asyncpg.connect)(database_url)
        except (OSError, asyncpg.PostgresError) as error:
            delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
            log.warning("bus connection failed (%s); retrying in %ss", error, delay)
            attempt += 1
            await trio.sleep(delay)
            continue

        reassembler = notify.Reassembler()

        def on_notify(_conn, _pid, _channel, payload: str, reassembler=reassembler) -> None:
            try:
                decoded = reassembler.feed(payload)
            except ValueError as error:
                log.error("undecodable bus payload dropped: %s", error)
                return
            for event in decoded:
                router.submit_nowait(event)

        conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
        try:
            await trio_asyncio.aio_as_trio(conn.add_listener)(notify.CHANNEL, on_notify)
            router.bus_connected()
            if not ready:
                task_status.started()
                ready = True
            else:
                log.info("bus reconnected")
            attempt = 0
            await lost.wait()
            log.warning("bus connection lost; closing this process's sockets, reconnecting")
            router.bus_lost()
            attempt = 1
        finally:
            with trio.CancelScope(shield=True):
                if not conn.is_closed():
                    await trio_asyncio.aio_as_trio(conn.close)()
