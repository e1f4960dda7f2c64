"""The process, and the composition root: it builds every service, wires them, and runs them
as one tree of tasks, each long-lived service with a named owner.

    main
    └─ trio_asyncio.open_loop()             asyncpg is asyncio-only
       └─ open_database(config)              embedded Postgres or DATABASE_URL, migrated, pooled
          └─ service nursery
             ├─ router.run()                 fans events out to the sockets of this process
             ├─ writer.run()                 stores chat messages (sockets and HTTP) in batches
             ├─ ephemeral.run()              publishes typing and departures, batched
             ├─ the bus's subscriber         Postgres LISTEN, or Redis (S)SUBSCRIBE -> router
             ├─ sessions.purge_expired()     deletes expired sessions now and then
             ├─ presence.keep_presence()     publishes this process's sockets, forgets the dead
             ├─ sweeper.run()                removes media rows and files nothing uses
             ├─ _close_sockets_on_shutdown   tells every client to reconnect elsewhere
             └─ serve_app(app)               hypercorn, in the owner's task: HTTP and /ws

hypercorn is served from code inside the trio-asyncio loop: its CLI has no such loop and asyncpg
then fails. Shutdown: the `shutdown` event stops accepting, closes the sockets, lets requests in
flight finish within a grace period, and then the service nursery is cancelled.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from functools import partial

import trio
import trio_asyncio
from hypercorn.config import Config as HypercornConfig

from server.config import Config
from server.db.database import open_database
from server.domain.chat_writer import MessageWriter
from server.domain.media_sweeper import MediaSweeper
from server.domain.sessions import Sessions
from server.gc_tuning import tune_garbage_collector
from server.http.app import create_app
from server.http.context import Services
from server.http.hypercorn_worker import serve_app
from server.ratelimit import Clock, RateLimits
from server.realtime import bus, endpoint, presence, protocol
from server.realtime.chat import ChatHandlers
from server.realtime.endpoint import RealtimeServices
from server.realtime.ephemeral import EphemeralPublisher
from server.realtime.router import Router
from server.signals import stop_on_signal

log = logging.getLogger("socialnet.service")

# Requests in flight get this long to finish once shutdown starts.
GRACEFUL_SECONDS = 3.0


def hypercorn_config(config: Config) -> HypercornConfig:
    hc = HypercornConfig()
    hc.bind = [f"{config.host}:{config.port}"]
    hc.graceful_timeout = GRACEFUL_SECONDS
    hc.accesslog = None
    hc.errorlog = logging.getLogger("hypercorn.error")
    # API.md's limit, enforced on the wire by hypercorn_worker.ConnectionGuard, the one check:
    # hypercorn's own buffer check on the same number cannot fire first (it counts characters,
    # and sees only what the guard passed), and without this its 16 MiB default would be the
    # guard's limit.
    hc.websocket_max_message_size = protocol.MAX_MESSAGE_BYTES
    hc.include_server_header = False
    # Told there are several worker processes, hypercorn binds with SO_REUSEPORT, so that each
    # of them can bind the same port and the kernel spreads connections (server/workers.py).
    hc.workers = config.workers
    return hc


class Application:
    """The ASGI application: /ws goes to the realtime core, everything else to Quart."""

    def __init__(self, http, realtime: RealtimeServices):
        self.http = http
        self.realtime = realtime

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "websocket" and scope["path"] == endpoint.PATH:
            await endpoint.serve_socket(self.realtime, scope, receive, send)
        else:
            await self.http(scope, receive, send)


async def _close_sockets_on_shutdown(shutdown: trio.Event, router: Router) -> None:
    await shutdown.wait()
    router.close_all(protocol.CLOSE_GOING_AWAY)


async def serve(
    config: Config,
    *,
    shutdown: trio.Event | None = None,
    router: Router | None = None,
    clock: Clock = time.time,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the whole server until `shutdown` is set (or forever); report the bound URLs.
    A test may hand in the `router` to watch the sockets it holds, and the `clock` that rate
    limits read (seconds since the epoch), to move time on without waiting."""
    if shutdown is None:
        shutdown = trio.Event()
    async with trio_asyncio.open_loop():
        async with open_database(config) as db:
            # Among several workers, each logs only what reached its sockets (realtime/router.py).
            router = router or Router(log_every_event=config.workers == 1)
            writer = MessageWriter(db)
            sessions = Sessions(db, clock=clock)
            limits = RateLimits(config, clock=clock)
            # A session ended on any process reaches every router over the bus: forget it here.
            router.on_session_ended.append(sessions.forget)
            http = create_app(
                Services(config=config, db=db, sessions=sessions, writer=writer, limits=limits)
            )
            ephemeral = EphemeralPublisher(db)
            realtime = RealtimeServices(
                allowed_origins=config.allowed_origins,
                db=db,
                ephemeral=ephemeral,
                sessions=sessions,
                router=router,
                handlers=ChatHandlers(db, router, writer, ephemeral, limits).table(),
            )
            app = Application(http, realtime)
            async with (
                bus.open_bus(config.bus, db, router) as listen,
                trio.open_nursery() as service_nursery,
            ):
                await service_nursery.start(router.run)
                await service_nursery.start(writer.run)
                await service_nursery.start(ephemeral.run)
                await service_nursery.start(listen)
                await service_nursery.start(sessions.purge_expired)
                await service_nursery.start(presence.keep_presence, router, db)
                await service_nursery.start(MediaSweeper(db, config.media_dir).run)
                service_nursery.start_soon(_close_sockets_on_shutdown, shutdown, router)
                # serve_app runs in this task and returns once shutdown is complete: its
                # connections finished or their grace period ran out.
                await serve_app(
                    app,
                    hypercorn_config(config),
                    shutdown_trigger=shutdown.wait,
                    task_status=task_status,
                )
                service_nursery.cancel_scope.cancel()
    log.info("stopped")


async def _stop_with_supervisor(shutdown: trio.Event) -> None:
    """A worker's standard input is its supervisor's lifeline (server/workers.py): end-of-file
    means the supervisor is gone, and a worker must not outlive it."""
    async with trio.lowlevel.FdStream(os.dup(sys.stdin.fileno())) as lifeline:
        while await lifeline.receive_some():
            pass
    log.warning("the supervisor is gone, shutting down")
    shutdown.set()


async def main(config: Config) -> None:
    tune_garbage_collector()
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(
            partial(stop_on_signal, shutdown, keep_listening=config.worker is not None)
        )
        if config.worker is not None:
            nursery.start_soon(_stop_with_supervisor, shutdown)
        await serve(config, shutdown=shutdown)
        nursery.cancel_scope.cancel()
