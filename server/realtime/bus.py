"""The bus between processes, a seam with two engines, and the subscribing half of its Postgres
engine: one task per process hears every event and feeds the router.

`open_bus` picks the engine (`SOCIALNET_BUS`): Postgres NOTIFY, the default (events are emitted
inside the transaction that causes them, server/db/database.py, and travel by NOTIFY,
server/db/notify.py), or Redis pub/sub, published after the commit
(server/realtime/redis_bus.py). Either way each process runs one subscriber task that feeds its
router. Here one dedicated connection LISTENs; when it drops, what was published meanwhile is
lost to this process, so the router closes its sockets (their clients reconnect and catch up
over HTTP) and refuses new ones until the bus listens again. A connection can also die without
a word (a network cut, a firewall or NAT forgetting it, a Postgres host gone): the listener
would then wait for ever while every event passed it by, so it asks the connection a question
every HEARTBEAT_SECONDS, and one unanswered within HEARTBEAT_TIMEOUT_SECONDS counts as lost.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import NoReturn

import asyncpg
import trio
import trio_asyncio

from server.db import notify
from server.db.database import Database
from server.realtime.router import Router

log = logging.getLogger("socialnet.bus")

RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)
# The listening connection is asked `SELECT 1` this often; unanswered within the timeout, it is
# taken for lost (a busy Postgres answers it in milliseconds).
HEARTBEAT_SECONDS = 10.0
HEARTBEAT_TIMEOUT_SECONDS = 10.0


async def _until_lost(conn: asyncpg.Connection, lost: trio.Event) -> None:
    """Return when the connection is lost: closed under us, or silent to a heartbeat."""
    while True:
        with trio.move_on_after(HEARTBEAT_SECONDS):
            await lost.wait()
            return
        answered = False
        with trio.move_on_after(HEARTBEAT_TIMEOUT_SECONDS):
            try:
                await trio_asyncio.aio_as_trio(conn.fetchval)("SELECT 1")
                answered = True
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("bus heartbeat failed: %s", error)
        if not answered:
            if not lost.is_set():
                log.warning("bus connection silent for %ss", HEARTBEAT_TIMEOUT_SECONDS)
            # Never a polite close on a connection that may answer nothing: it would wait.
            conn.terminate()
            return


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
            await _until_lost(conn, lost)
            log.warning("bus connection lost; closing this process's sockets, reconnecting")
            router.bus_lost()
            attempt = 1
        finally:
            with trio.CancelScope(shield=True):
                if not conn.is_closed():
                    with trio.move_on_after(HEARTBEAT_TIMEOUT_SECONDS):
                        await trio_asyncio.aio_as_trio(conn.close)()
                if not conn.is_closed():
                    conn.terminate()


POSTGRES = "postgres"


@asynccontextmanager
async def open_bus(
    bus_url: str, db: Database, router: Router
) -> AsyncIterator[Callable[..., Awaitable[NoReturn]]]:
    """The engine named by `bus_url` ("postgres", or a Redis URL), wired to the database's
    publishing seam and to the router; yields the subscriber task to start (it takes
    `task_status`)."""
    if bus_url == POSTGRES:
        yield partial(listen, db.url, router)
        return
    # Imported here: the Postgres bus needs no Redis client loaded.
    from server.realtime.redis_bus import open_redis_bus

    async with open_redis_bus(bus_url) as redis:
        db.publish_after_commit = redis.publish
        router.subscriptions = redis.subscriptions
        try:
            yield partial(redis.listen, router)
        finally:
            db.publish_after_commit = None
