"""The database: an embedded Postgres or DATABASE_URL, the lanes that reach it from trio, and the
publishing half of the bus.

asyncpg speaks asyncio only, so every call crosses trio -> asyncio (server/db/bridge.py: a lane,
one asyncio task per connection). A crossing costs more than a query on these machines, so a
request hands the bridge one function that runs all its queries on one connection
(`Database.run` / `Database.transaction`), not one call per query.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from typing import Any, NoReturn, TypeVar

import asyncpg
import trio

from server.config import Config, redacted_url
from server.db import bridge, migrate, notify
from server.db.bridge import Lanes, is_connection_lost
from server.db.embedded import (
    postgres_is_running,
    restart_postgres,
    start_embedded_postgres,
)
from server.errors import Unavailable
from server.events import Event
from server.preflight import StartupError

log = logging.getLogger("socialnet.db")

T = TypeVar("T")
ConnFn = Callable[..., Awaitable[T]]

# The embedded Postgres is checked this often, and started again after these waits when a
# start fails (a bounded backoff: never a tight loop of failing starts).
SUPERVISE_EVERY_SECONDS = 1.0
RESTART_DELAYS = (1, 2, 5, 10, 30)


# Postgres rolled the work back to resolve a conflict with other work (SQLSTATE 40P01, 40001):
# run again, it succeeds. How often a transaction is tried before it is a 503.
CONFLICTS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
CONFLICT_ATTEMPTS = 3


class Connection(asyncpg.Connection):
    """A lane's connection, which also carries the bus events its work emits (`emit`)."""

    __slots__ = ("outbox", "notify_channel")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Emptied at the start of every crossing.
        self.outbox: list[Event] = []
        # The NOTIFY channel when events travel inside the work's own statements (the Postgres
        # bus), so that a hot write may publish in the statement that writes; else None.
        self.notify_channel: str | None = None


def emit(conn: Connection, *batch: Event) -> None:
    """Queue events for the bus, from inside a `Database.run` or `Database.transaction`: they
    are published with the write, so none exists unless the write committed."""
    conn.outbox.extend(batch)


class Database:
    """The database as trio sees it, and the publishing half of the bus.

    By default events travel by Postgres NOTIFY inside the transaction of the write that emits
    them (server/db/notify.py). An engine that publishes after the commit instead (one whose
    messages are not part of the transaction) sets `publish_after_commit`.
    """

    def __init__(self, lanes: Lanes, url: str):
        self._lanes = lanes
        self.url = url
        self.publish_after_commit: Callable[[list[Event]], Awaitable[None]] | None = None

    async def run(self, fn: ConnFn[T], *args: Any) -> T:
        """Run `fn(conn, *args)` on one connection, in one crossing. Cancellable (the work
        itself still ends on its lane). Unavailable (503) while the database cannot be
        reached."""
        with _unreachable_as_unavailable():
            result, outbox = await self._lanes.run(partial(self._work, fn, args, False))
        await self._after_commit(outbox)
        return result

    async def run_shielded(self, fn: ConnFn[T], *args: Any) -> T:
        """`run`, shielded from cancellation like `transaction`, for work whose writes are each
        a statement of their own (autocommit): a cancelled caller cannot leave one half done."""
        with trio.CancelScope(shield=True):
            return await self.run(fn, *args)

    async def transaction(self, fn: ConnFn[T], *args: Any) -> T:
        """Run `fn(conn, *args)` in a transaction, shielded from cancellation so that a
        cancelled request cannot abandon a COMMIT halfway; Postgres's statement timeout and
        the lanes' watchdog still bound it. A transaction that Postgres rolled back for a
        conflict with another (a deadlock, a serialization failure) is run again, as Postgres
        advises: nothing of it was kept. Unavailable (503) while the database cannot be
        reached, or the conflict persists: nothing was written."""
        with trio.CancelScope(shield=True):
            with _unreachable_as_unavailable():
                for attempt in range(1, CONFLICT_ATTEMPTS + 1):
                    try:
                        work = partial(self._work, fn, args, True)
                        result, outbox = await self._lanes.run(work)
                        break
                    except CONFLICTS as error:
                        if attempt == CONFLICT_ATTEMPTS:
                            raise
                        log.info("transaction run again after a conflict: %s", error)
            await self._after_commit(outbox)
        return result

    def lane_use(self) -> tuple[int, int]:
        """(lanes running a call now, lanes): for the metrics."""
        return self._lanes.use()

    @property
    def publishes_in_transaction(self) -> bool:
        """Whether events travel inside the write's transaction (NOTIFY), so that a statement
        may publish its own events (the chat writer's one round trip per batch)."""
        return self.publish_after_commit is None

    async def publish(self, *batch: Event) -> None:
        """Publish events that no write carries (typing, presence)."""
        if self.publish_after_commit is not None:
            await self.publish_after_commit(list(batch))
        else:
            await self.run(notify.publish, batch)

    async def _after_commit(self, outbox: list[Event]) -> None:
        if outbox and self.publish_after_commit is not None:
            await self.publish_after_commit(outbox)

    async def _work(
        self, fn: ConnFn[T], args: tuple, in_transaction: bool, conn: Connection
    ) -> tuple[T, list[Event]]:
        """Asyncio side, on a lane: the work, then what it emitted."""
        conn.outbox.clear()
        conn.notify_channel = notify.CHANNEL if self.publish_after_commit is None else None
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
    """What the database being away looks like from here (refused or lost connections, a
    server shutting down or starting up, no connection slot, a statement past its timeout)
    becomes the contract's 503 `unavailable`; the lanes connect afresh once it is back. So
    does a conflict Postgres resolved by rolling this work back (deadlock, serialization):
    trying again later succeeds."""
    try:
        yield
    except (asyncpg.TooManyConnectionsError, asyncpg.QueryCanceledError, *CONFLICTS) as error:
        log.warning("database busy: %s", error)
        raise Unavailable() from error
    except Exception as error:
        if not is_connection_lost(error):
            raise
        log.warning("database unreachable: %s", error or type(error).__name__)
        raise Unavailable() from error


async def ping(conn: asyncpg.Connection) -> int:
    """The cheapest question the database answers (health checks)."""
    return await conn.fetchval("SELECT 1")


async def _start_embedded_postgres(config: Config):
    # Blocking (initdb and pg_ctl): keep it off the event loop.
    try:
        return await trio.to_thread.run_sync(start_embedded_postgres, config.postgres_dir)
    except StartupError:
        raise  # pgserver is missing: its own line says what to install
    except Exception as error:
        first_line = (str(error) or type(error).__name__).strip().splitlines()[0]
        raise StartupError(
            f"the embedded Postgres did not start in {config.postgres_dir}: {first_line}; "
            f"see its log, {config.postgres_dir / 'log'}, or set DATABASE_URL"
        ) from error


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


# How long `check_reachable` waits for the database to answer.
REACHABLE_TIMEOUT_SECONDS = 5.0


def check_reachable(url: str, *, timeout: float = REACHABLE_TIMEOUT_SECONDS) -> None:
    """Blocking, outside any event loop (the command line, before it starts anything): connect
    to `url` once and ask `SELECT 1`; StartupError saying why not and what to do."""

    async def ask() -> None:
        conn = await asyncpg.connect(url, timeout=timeout)
        try:
            await conn.fetchval("SELECT 1", timeout=timeout)
        finally:
            await conn.close()

    shown = redacted_url(url)
    fix = "start it, or fix DATABASE_URL"
    try:
        asyncio.run(ask())
    except socket.gaierror as error:
        reason = f"cannot resolve its host ({error.strerror})"
    except TimeoutError:
        reason = f"no answer within {timeout:g} s"
    except asyncpg.InvalidAuthorizationSpecificationError as error:  # and a wrong password
        reason, fix = f"it refused the credentials ({error})", "fix the user or password"
    except asyncpg.InvalidCatalogNameError as error:
        reason, fix = str(error), "create it (createdb), or fix the database name in DATABASE_URL"
    except ConnectionRefusedError:
        reason = "connection refused (no Postgres listens there)"
    except OSError as error:
        reason = error.strerror or str(error)
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        reason = str(error) or type(error).__name__
    else:
        return
    raise StartupError(f"cannot reach the database at {shown}: {reason}; {fix}")


def _upgrade_or_explain(url: str) -> None:
    try:
        migrate.upgrade(url)
    except Exception as error:
        first_line = (str(error) or type(error).__name__).strip().splitlines()[0]
        raise StartupError(
            f"the database migrations failed: {first_line}; nothing was changed (they run in one "
            "transaction): fix the cause, then run `socialnet migrate`"
        ) from error


async def apply_migrations(url: str) -> None:
    """Migrate `url` to head; StartupError when that fails (the database as it was)."""
    # Alembic runs its own asyncio loop: give it a thread of its own.
    await trio.to_thread.run_sync(_upgrade_or_explain, url)


async def _connect(url: str) -> Connection:
    """A lane's connection: every statement bounded by Postgres itself."""
    timeout_ms = int(bridge.COMMAND_TIMEOUT_SECONDS * 1000)
    return await asyncpg.connect(
        url,
        connection_class=Connection,
        server_settings={"statement_timeout": str(timeout_ms)},
    )


@asynccontextmanager
async def open_pool(url: str, *, size: int) -> AsyncIterator[Database]:
    """`size` lanes to `url`; must run inside trio_asyncio.open_loop(). Fails (Unavailable)
    when the database cannot be reached now."""
    lanes = Lanes(partial(_connect, url), size)
    lanes.start()
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(lanes.watch)
            db = Database(lanes, url)
            await db.run(ping)
            yield db
            nursery.cancel_scope.cancel()
    finally:
        with trio.CancelScope(shield=True):
            await lanes.stop()


@asynccontextmanager
async def open_database(config: Config) -> AsyncIterator[Database]:
    """The process's database: started if embedded, migrated to head, pooled."""
    async with open_database_url(config) as url:
        if config.migrate_on_start:
            await apply_migrations(url)
        async with open_pool(url, size=config.db_pool_size) as db:
            yield db
