"""The process: one tree of tasks, each long-lived service with a named owner.

    main
    └─ trio_asyncio.open_loop()             asyncpg is asyncio-only
       └─ open_database(config)              embedded Postgres or DATABASE_URL, migrated, pooled
          └─ service nursery
             └─ hypercorn.trio.serve(app)    HTTP (and, with the realtime core, /ws)

hypercorn is served from code inside the trio-asyncio loop: its CLI has no such loop and asyncpg
then fails. Shutdown: a signal triggers hypercorn's graceful shutdown, and a deadline on the
service nursery bounds it.
"""

from __future__ import annotations

import logging
import signal
from functools import partial

import trio
import trio_asyncio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve as hypercorn_serve

from server.config import Config
from server.db.database import open_database
from server.http.app import create_app

log = logging.getLogger("socialnet.service")

# Open requests and sockets get this long to finish once shutdown starts.
GRACEFUL_SECONDS = 3.0
SHUTDOWN_DEADLINE_SECONDS = 5.0


def hypercorn_config(config: Config) -> HypercornConfig:
    hc = HypercornConfig()
    hc.bind = [f"{config.host}:{config.port}"]
    hc.graceful_timeout = GRACEFUL_SECONDS
    hc.accesslog = None
    hc.errorlog = logging.getLogger("hypercorn.error")
    # API.md's WebSocket limit is 64 KiB; the app enforces it and closes with 1009 itself.
    hc.websocket_max_message_size = 1024 * 1024
    hc.include_server_header = False
    return hc


async def serve(
    config: Config,
    *,
    shutdown: trio.Event | None = None,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the whole server until `shutdown` is set (or forever); report the bound URLs."""
    if shutdown is None:
        shutdown = trio.Event()
    async with trio_asyncio.open_loop():
        async with open_database(config) as db:
            app = create_app(config, db)
            async with trio.open_nursery() as service_nursery:
                urls = await service_nursery.start(
                    partial(
                        hypercorn_serve,
                        app,
                        hypercorn_config(config),
                        shutdown_trigger=shutdown.wait,
                        mode="asgi",
                    )
                )
                log.info("serving on %s", ", ".join(urls))
                task_status.started(urls)
                await shutdown.wait()
                service_nursery.cancel_scope.deadline = (
                    trio.current_time() + SHUTDOWN_DEADLINE_SECONDS
                )
    log.info("stopped")


async def _stop_on_signal(shutdown: trio.Event) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            log.info("received %s, shutting down", signal.Signals(signum).name)
            shutdown.set()
            return


async def main(config: Config) -> None:
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_stop_on_signal, shutdown)
        await serve(config, shutdown=shutdown)
        nursery.cancel_scope.cancel()
