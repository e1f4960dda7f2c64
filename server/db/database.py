"""The database: an embedded Postgres or DATABASE_URL, an asyncpg pool, and the trio bridge.

asyncpg speaks asyncio only, so every call crosses trio -> asyncio with trio_asyncio. A crossing
costs more than a query on these machines, so a request hands the bridge one function that runs
all its queries on one connection (`Database.run` / `Database.transaction`), not one call per query.

Two things about the crossing are deliberate (docs/benchmarks.md, "feed"):
- Its asyncio task runs in an empty contextvars.Context, not a copy of the caller's. A copy
  carries the Quart request along, and anything the asyncio side keeps for a while (a timer
  handle, say) would keep the whole request alive with it.
- Queries are bounded by a trio deadline around the crossing, not by asyncpg's command_timeout:
  that one schedules an asyncio timer per query, and trio_asyncio keeps even a cancelled timer
  until it is due, so at a few hundred requests a second thousands of them (each holding its
  task's context) piled up and the garbage collector's full passes stalled the server.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, NoReturn, TypeVar

import asyncpg
import trio
import trio_asyncio

from server.config import Config
from server.db import migrate, notify
from server.db.embedded import postgres_is_running, restart_postgres, start_embedded_postgres
from server.errors import Unavailable
from server.events import Event

log = logging.getLogger("socialnet.db")

T = TypeVar("T")
ConnFn = Callable[..., Awaitable[T]]

# A runaway query must not hold a request, a shielded write or shutdown forever.
COMMAND_TIMEOUT_SECONDS = 30
# The embedded Postgres is checked this often, and started again after these waits when a
# start fails (a bounded backoff: never a tight loop of failing starts).
SUPERVISE_EVERY_SECONDS = 1.0
RESTART_DELAYS = (1, 2, 5, 10, 30)

# What the database being away looks like from here: refused or lost connections, a server
# shutting down or starting up, no connection slot, a call that outlived its deadline. Each
# becomes the contract's 503 `unavailable`; the pool makes fresh connections once it is back.
UNREACHABLE = (
    OSError,
    asyncio.TimeoutError,
    trio.TooSlowError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)


def _is_closed_connection(error: BaseException) -> bool:
    return isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error)


class Connection(asyncpg.Connection):
    """A pooled connection that also carries the bus events its work emits (`emit`)."""

    __slots__ = ("outbox",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Emptied at the start of every crossing; callers see it through the pool's proxy.
        self.outbox: list[Event] = []


def emit(conn: Connection, *batch: Event) -> None:
    """Queue events for the bus, from inside a `Database.run` or `Database.transaction`: they
    are published with the write, so none exists unless the write committed."""
    conn.outbox.extend(batch)


class Database:
    """A pool of asyncpg connections, used from trio, and the publishing half of the bus.

    By default events travel by Postgres NOTIFY inside the transaction of the write that emits
    them (server/db/notify.py). An engine that publishes after the commit instead (one whose
    messages are not part of the transaction) sets `publish_after_commit`.
    """

    def __init__(self, pool: asyncpg.Pool, url: str):
        self.pool = pool
        self.url = url
        self.publish_after_commit: Callable[[list[Event]], Awaitable[None]] | None = None

    async def run(self, fn: ConnFn[T], *args: Any) -> T:
        """Run `fn(conn, *args)` on one pooled connection, in one crossing. Cancellable.
        Unavailable (503) while the database cannot be reached."""
        with _unreachable_as_unavailable(), trio.fail_after(COMMAND_TIMEOUT_SECONDS):
            result, outbox = await self._cross(self._call(fn, args, False))
        await self._after_commit(outbox)
        return result

    async def transaction(self, fn: ConnFn[T], *args: Any) -> T:
        """Run `fn(conn, *args)` in a transaction, shielded from cancellation so that a
        cancelled request cannot abandon a COMMIT halfway; the deadline still bounds it.
        Unavailable (503) while the database cannot be reached: nothing was written."""
        with trio.CancelScope(shield=True):
            with _unreachable_as_unavailable(), trio.fail_after(COMMAND_TIMEOUT_SECONDS):
                result, outbox = await self._cross(self._call(fn, args, True))
            await self._after_commit(outbox)
        return result

    async def publish(self, *batch: Event) -> None:
        """Publish events that no write carries (typing, presence)."""
        if self.publish_after_commit is not None:
            await self.publish_after_commit(list(batch))
        else:
            await self.run(notify.publish, batch)

    async def _after_commit(self, outbox: list[Event]) -> None:
        if outbox and self.publish_after_commit is not None:
            await self.publish_after_commit(outbox)

    async def _cross(self, coro: Awaitable[T]) -> T:
        """Await an asyncio coroutine from trio, as its own task in an empty context."""
        task = trio_asyncio.current_loop.get().create_task(coro, context=contextvars.Context())
        return await trio_asyncio.run_aio_future(task)

    async def _call(
        self, fn: ConnFn[T], args: tuple, in_transaction: bool
    ) -> tuple[T, list[Event]]:
        async with self.pool.acquire() as conn:
            conn.outbox.clear()
            if not in_transaction:
                result = await fn(conn, *args)
                return result, await self._flush(conn)
            async with conn.transaction():
                result = await fn(conn, *args)
                return result, await self._flush(conn)

    async def _flush(self, conn: Connection) -> list[Event]:
        """NOTIFY what the work emitted, inside its transaction; or hand it back to be
        published after the commit."""
        outbox = list(conn.outbox)
        conn.outbox.clear()
        if self.publish_after_commit is None:
            await notify.publish(conn, outbox)
            return []
        return outbox


@contextmanager
def _unreachable_as_unavailable() -> Iterator[None]:
    try:
        yield
    except UNREACHABLE as error:
        log.warning("database unreachable: %s", error or type(error).__name__)
        raise Unavailable() from None
    except asyncpg.InterfaceError as error:
        if not _is_closed_connection(error):
            raise
        log.warning("database connection lost: %s", error)
        raise Unavailable() from None


async def ping(conn: asyncpg.Connection) -> int:
    """The cheapest question the database answers (health checks)."""
    return await conn.fetchval("SELECT 1")


async def _start_embedded_postgres(config: Config):
    # Blocking (initdb and pg_ctl): keep it off the event loop.
    return await trio.to_thread.run_sync(start_embedded_postgres, config.postgres_dir)


@asynccontextmanager
async def open_database_url(config: Config) -> AsyncIterator[str]:
    """Yield the database URL: DATABASE_URL, or an embedded Postgres started for the duration
    and supervised: restarted when it dies."""
    if config.database_url:
        yield config.database_url
        return
    server = await _start_embedded_postgres(config)
    log.info("embedded postgres ready in %s", config.postgres_dir)
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(supervise_embedded_postgres, server)
            yield server.get_uri()
            nursery.cancel_scope.cancel()
    finally:
        with trio.CancelScope(shield=True):
            await trio.to_thread.run_sync(server.cleanup)


async def supervise_embedded_postgres(
    server, *, every: float = SUPERVISE_EVERY_SECONDS
) -> NoReturn:
    """Keep the embedded Postgres alive: checked every `every` seconds, started again when it
    died (killed, crashed), with a bounded backoff between failed starts. Meanwhile requests
    answer 503 and the pool and the bus reconnect by themselves once it is back."""
    failures = 0
    while True:
        await trio.sleep(every)
        if await trio.to_thread.run_sync(postgres_is_running, server):
            failures = 0
            continue
        log.error("embedded postgres is not running; starting it again")
        try:
            await trio.to_thread.run_sync(restart_postgres, server)
        except Exception as error:  # pg_ctl fails in many ways; every one means: try again
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            failures += 1
            log.error("embedded postgres did not start (%s); next try in %ss", error, delay)
            await trio.sleep(delay)
        else:
            failures = 0
            log.warning("embedded postgres restarted")


async def apply_migrations(url: str) -> None:
    # Alembic runs its own asyncio loop: give it a thread of its own.
    await trio.to_thread.run_sync(migrate.upgrade, url)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset on release, which by default costs a round trip per request. Our code
    leaves no session state behind (no SET, no LISTEN, no session-level advisory lock on pooled
    connections), and asyncpg still rolls back any transaction left open."""


@asynccontextmanager
async def open_pool(url: str, *, size: int) -> AsyncIterator[Database]:
    """An asyncpg pool on `url`; must run inside trio_asyncio.open_loop()."""
    pool = await trio_asyncio.aio_as_trio(asyncpg.create_pool)(
        url,
        min_size=1,
        max_size=size,
        reset=_keep_session,
        connection_class=Connection,
        # The idle-connection timer would be one more asyncio timer per release, and
        # trio_asyncio keeps a cancelled timer until it is due (see the module docstring).
        max_inactive_connection_lifetime=0,
    )
    try:
        yield Database(pool, url)
    finally:
        with trio.CancelScope(shield=True):
            await trio_asyncio.aio_as_trio(pool.close)()


@asynccontextmanager
async def open_database(config: Config) -> AsyncIterator[Database]:
    """The process's database: started if embedded, migrated to head, pooled."""
    async with open_database_url(config) as url:
        if config.migrate_on_start:
            await apply_migrations(url)
        async with open_pool(url, size=config.db_pool_size) as db:
            yield db
