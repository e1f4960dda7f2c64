"""Ephemeral events leave without their caller's round trip: queued, then published together."""

from __future__ import annotations

import asyncpg
import trio
import trio.testing
import trio_asyncio

from server.db import notify
from server.db.database import open_pool
from server.events import Typing
from server.realtime.ephemeral import EphemeralPublisher


async def test_events_queued_together_leave_in_one_statement(database_url):
    async with trio_asyncio.open_loop():
        async with open_pool(database_url, size=1) as db:
            payloads: list[str] = []
            heard = []
            all_heard = trio.Event()
            reassembler = notify.Reassembler()

            def on_notify(_conn, _pid, _channel, payload: str) -> None:
                payloads.append(payload)
                heard.extend(reassembler.feed(payload))
                if len(heard) == 100:
                    all_heard.set()

            listener = await trio_asyncio.aio_as_trio(asyncpg.connect)(database_url)
            await trio_asyncio.aio_as_trio(listener.add_listener)(notify.CHANNEL, on_notify)
            publisher = EphemeralPublisher(db)
            sent = [Typing({"id": n}, "direct", n + 1) for n in range(100)]
            for event in sent:
                publisher.publish_nowait(event)  # never waits
            async with trio.open_nursery() as nursery:
                await nursery.start(publisher.run)
                with trio.fail_after(10):
                    await all_heard.wait()
                nursery.cancel_scope.cancel()
            await trio_asyncio.aio_as_trio(listener.close)()
    assert heard == sent
    assert len(payloads) <= 2  # packed: one statement, one or two payloads, not 100 round trips
