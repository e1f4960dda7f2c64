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
             ├─ address_budgets.forget_idle() forgets clients whose budgets are all free
             ├─ resets.run()                 looks up password-reset requests, queues mails
             ├─ mailer.run()                 sends the queued mails (SMTP in a worker thread)
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

from server import metrics
from server.config import Config
from server.db.database import open_database
from server.domain.address_budgets import AddressBudgets
from server.domain.chat_writer import MessageWriter
from server.domain.external_login import ExternalLogins
from server.domain.media_sweeper import MediaSweeper
from server.domain.password_resets import PasswordResets
from server.domain.sessions import Sessions
from server.gc_tuning import tune_garbage_collector
from server.http.access import AccessLog, log_exchange, record_exchange
from server.http.app import create_app
from server.http.context import Services
from server.http.hypercorn_worker import serve_app
from server.mail import Mailer
from server.ratelimit import Clock, RateLimits
from server.realtime import bus, endpoint, presence, protocol
from server.realtime.chat import ChatHandlers
from server.realtime.endpoint import RealtimeServices
from server.realtime.ephemeral import EphemeralPublisher
from server.realtime.live import LiveHandlers
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


async def _pump_metrics(router: Router, db, *, task_status=trio.TASK_STATUS_IGNORED) -> None:
    """Once a second: this process's per-frame counts and gauges into the metrics."""
    task_status.started()
    try:
        while True:
            _pump_now(router, db)
            await trio.sleep(metrics.PUMP_SECONDS)
    finally:
        _pump_now(router, db)  # what the last second counted


def _pump_now(router: Router, db) -> None:
    busy, lanes = db.lane_use()
    metrics.pump_once(
        sockets=router.open_sockets, users=router.online_users, lanes_busy=busy, lanes=lanes
    )


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
    if config.metrics_addr is not None:
        metrics.enable()  # PROMETHEUS_MULTIPROC_DIR: set by whoever serves the endpoint
    async with trio_asyncio.open_loop():
        async with open_database(config) as db:
            # Among several workers, each logs only what reached its sockets (realtime/router.py).
            router = router or Router(log_every_event=config.workers == 1)
            writer = MessageWriter(db, window=config.writer_window)
            sessions = Sessions(db, clock=clock)
            limits = RateLimits(config, clock=clock)
            address_budgets = AddressBudgets(db, enabled=config.rate_limits, clock=clock)
            sweeper = MediaSweeper(db, config.media_dir)
            mailer = Mailer(config.smtp_url, config.mail_from)
            resets = PasswordResets(sessions, mailer, config.site_url)
            logins = ExternalLogins(sessions, config.oidc_providers, config.site_url)
            # A session ended on any process reaches every router over the bus: forget it here.
            router.on_session_ended.append(sessions.forget)
            router.on_sessions_ended.append(sessions.forget_user)
            http = create_app(
                Services(
                    config=config,
                    db=db,
                    sessions=sessions,
                    writer=writer,
                    limits=limits,
                    address_budgets=address_budgets,
                    sweeper=sweeper,
                    resets=resets,
                    logins=logins,
                    bus_ready=lambda: router.bus_ready,
                )
            )
            ephemeral = EphemeralPublisher(db)
            realtime = RealtimeServices(
                allowed_origins=config.allowed_origins,
                db=db,
                ephemeral=ephemeral,
                sessions=sessions,
                router=router,
                handlers={
                    **ChatHandlers(db, router, writer, ephemeral, limits).table(),
                    **LiveHandlers(db, router).table(),
                },
            )
            app = AccessLog(
                Application(http, realtime),
                config.trusted_proxies,
                observers=[log_exchange, *([record_exchange] if metrics.enabled() else [])],
            )
            async with (
                bus.open_bus(config.bus, db, router) as listen,
                trio.open_nursery() as service_nursery,
            ):
                await service_nursery.start(router.run)
                await service_nursery.start(writer.run)
                await service_nursery.start(ephemeral.run)
                await service_nursery.start(listen)
                await service_nursery.start(sessions.purge_expired)
                await service_nursery.start(address_budgets.forget_idle)
                await service_nursery.start(mailer.run)
                await service_nursery.start(resets.run)
                await service_nursery.start(presence.keep_presence, router, db)
                await service_nursery.start(sweeper.run)
                if metrics.enabled():
                    await service_nursery.start(_pump_metrics, router, db)
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
