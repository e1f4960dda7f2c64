"""The trio -> asyncio bridge (server/db/database.py): one crossing per call, in a clean context,
bounded by a deadline, and a transaction that a cancelled caller cannot abandon."""

from __future__ import annotations

import asyncio
import contextvars

import asyncpg
import pytest
import trio
import trio.testing
import trio_asyncio

from server.db import bridge
from server.errors import Unavailable

# Stands in for Quart's request context variables, which a crossing must not carry along.
REQUEST = contextvars.ContextVar("request", default=None)
LOCK = 720_631


async def test_the_asyncio_side_does_not_see_the_callers_context(db):
    REQUEST.set("the whole request")

    async def seen(conn):
        return REQUEST.get()

    assert await db.run(seen) is None
    assert await db.transaction(seen) is None


@pytest.fixture
async def lock_holder(database_url, db):
    """Another session, holding advisory lock LOCK until the test lets go of it."""
    conn = await trio_asyncio.aio_as_trio(asyncpg.connect)(database_url)
    await trio_asyncio.aio_as_trio(conn.execute)("SELECT pg_advisory_lock($1)", LOCK)
    try:
        yield conn
    finally:
        await trio_asyncio.aio_as_trio(conn.close)()


async def release(conn) -> None:
    await trio_asyncio.aio_as_trio(conn.execute)("SELECT pg_advisory_unlock($1)", LOCK)


async def wait_for_lock(conn):
    """Blocks while lock_holder holds the lock; then the id of this transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK)
    return await conn.fetchval("SELECT txid_current()")


async def test_a_query_past_the_deadline_fails_and_the_pool_still_serves(
    db, lock_holder, monkeypatch
):
    monkeypatch.setattr(bridge, "COMMAND_TIMEOUT_SECONDS", 0.2)
    # Past its deadline a call fails as the database being away does: 503 unavailable (the
    # watchdog closed its connection; the lane connects afresh for the next call).
    with pytest.raises(Unavailable) as failed:
        await db.transaction(wait_for_lock)
    assert failed.value.status == 503

    async def one(conn):
        return await conn.fetchval("SELECT 1")

    assert await db.run(one) == 1


async def test_a_cancelled_caller_still_commits_its_transaction(db, lock_holder):
    result = {}

    async def write():
        result["txid"] = await db.transaction(wait_for_lock)

    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(write)
            await trio.testing.wait_all_tasks_blocked()  # the transaction waits for the lock
            scope.cancel()
            with trio.CancelScope(shield=True):  # this scope is cancelled too
                await release(lock_holder)

    async def status(conn, txid):
        return await conn.fetchval("SELECT txid_status($1)", txid)

    assert await db.run(status, result["txid"]) == "committed"


FIRST, SECOND = 720_701, 720_702


def crossing_locks(order: tuple[int, int], mine: asyncio.Event, theirs: asyncio.Event):
    """Work that takes two advisory locks in `order` and takes the second only once the other
    work holds its first: two of them, in opposite orders, deadlock."""

    async def work(conn):
        await conn.execute("SELECT pg_advisory_xact_lock($1)", order[0])
        mine.set()
        await theirs.wait()
        await conn.execute("SELECT pg_advisory_xact_lock($1)", order[1])
        return order

    return work


async def test_a_transaction_rolled_back_for_a_deadlock_is_run_again(db):
    one, other = asyncio.Event(), asyncio.Event()
    done = []

    async def run(order, mine, theirs):
        done.append(await db.transaction(crossing_locks(order, mine, theirs)))

    async with trio.open_nursery() as nursery:  # Postgres ends one of the two (deadlock_timeout)
        nursery.start_soon(run, (FIRST, SECOND), one, other)
        nursery.start_soon(run, (SECOND, FIRST), other, one)
    assert sorted(done) == [(FIRST, SECOND), (SECOND, FIRST)]


async def test_work_outside_a_transaction_ended_by_a_deadlock_is_a_503(db):
    one, other = asyncio.Event(), asyncio.Event()
    outcomes = []

    def in_its_own_transaction(work):
        async def wrapped(conn):
            async with conn.transaction():
                return await work(conn)

        return wrapped

    async def run(order, mine, theirs):
        try:
            await db.run(in_its_own_transaction(crossing_locks(order, mine, theirs)))
        except Unavailable:
            outcomes.append("unavailable")
        else:
            outcomes.append("done")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run, (FIRST, SECOND), one, other)
        nursery.start_soon(run, (SECOND, FIRST), other, one)
    assert sorted(outcomes) == ["done", "unavailable"]
