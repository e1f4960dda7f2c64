"""The trio -> asyncio bridge (server/db/database.py): one crossing per call, in a clean context,
bounded by a deadline, and a transaction that a cancelled caller cannot abandon."""

from __future__ import annotations

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
