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

import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
import trio
import trio_asyncio

from server.config import Config
from server.db import migrate
from server.db.embedded import start_embedded_postgres

log = logging.getLogger("socialnet.db")

T = TypeVar("T")
ConnFn = Callable[..., Awaitable[T]]

# A runaway query must not hold a request, a shielded write or shutdown forever.
COMMAND_TIMEOUT_SECONDS = 30


class Database:
    """A pool of asyncpg connections, used from trio."""

    def __init__(self, pool: asyncpg.Pool, url: str):
        self.pool = pool
        self.url = url

    async def run(self, fn: ConnFn[T], *args: Any) -> T:
        """Run `fn(conn, *args)` on one pooled connection, in one crossing. Cancellable."""
        with trio.fail_after(COMMAND_TIMEOUT_SECONDS):
            return await self._cross(self._call(fn, args, False))

    async def transaction(self, fn: ConnFn[T], *args: Any) -> T:
        """Run `fn(conn, *args)` in a transaction, shielded from cancellation so that a
        cancelled request cannot abandon a COMMIT halfway; the deadline still bounds it."""
        with trio.CancelScope(shield=True), trio.fail_after(COMMAND_TIMEOUT_SECONDS):
            return await self._cross(self._call(fn, args, True))

    async def _cross(self, coro: Awaitable[T]) -> T:
        """Await an asyncio coroutine from trio, as its own task in an empty context."""
        task = trio_asyncio.current_loop.get().create_task(coro, context=contextvars.Context())
        return await trio_asyncio.run_aio_future(task)

    async def _call(self, fn: ConnFn[T], args: tuple, in_transaction: bool) -> T:
        async with self.pool.acquire() as conn:
            if not in_transaction:
                return await fn(conn, *args)
            async with conn.transaction():
                return await fn(conn, *args)


async def _start_embedded_postgres(config: Config):
    # Blocking (initdb and pg_ctl): keep it off the event loop.
    return await trio.to_thread.run_sync(start_embedded_postgres, config.postgres_dir)


@asynccontextmanager
async def open_database_url(config: Config) -> AsyncIterator[str]:
    """Yield the database URL: DATABASE_URL, or an embedded Postgres started for the duration."""
    if config.database_url:
        yield config.database_url
        return
    server = await _start_embedded_postgres(config)
    log.info("embedded postgres ready in %s", config.postgres_dir)
    try:
        yield server.get_uri()
    finally:
        with trio.CancelScope(shield=True):
            await trio.to_thread.run_sync(server.cleanup)


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
