"""The chat writer's one statement stores a batch and publishes its events: the payloads it
sends decode to exactly the events Python would have built, within NOTIFY's size limit, packed
when small, chunked when too large."""

from __future__ import annotations

import asyncpg
import pytest
import trio
import trio_asyncio

from server.db import notify
from server.db.database import open_pool
from server.db.messages import NewMessage, insert_batch_and_publish
from server.events import MessageStored
from server.shapes import iso


@pytest.fixture
async def db(server):
    async with trio_asyncio.open_loop():
        async with open_pool(server.config.database_url, size=2) as pool:
            yield pool


async def test_one_statement_publishes_what_python_would_have(server, db, alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    bodies = [f"small {n}" for n in range(30)] + ["é" * 2000, "🧗" * 2000, "last"]
    batch = [
        NewMessage(alice.id, bob.id, None, body, f"c{n}", skip=f"socket-{n}")
        for n, body in enumerate(bodies)
    ]
    payloads: list[str] = []
    decoded: list[MessageStored] = []
    everything = trio.Event()
    reassembler = notify.Reassembler()

    def on_notify(_conn, _pid, _channel, payload: str) -> None:
        payloads.append(payload)
        decoded.extend(reassembler.feed(payload))
        if len(decoded) == len(batch):
            everything.set()

    listener = await trio_asyncio.aio_as_trio(asyncpg.connect)(server.config.database_url)
    try:
        await trio_asyncio.aio_as_trio(listener.add_listener)(notify.CHANNEL, on_notify)
        stored = await db.run(insert_batch_and_publish, batch)
        with trio.fail_after(10):
            await everything.wait()
    finally:
        await trio_asyncio.aio_as_trio(listener.close)()

    assert sorted(stored) == list(range(len(batch)))
    expected = []
    for index, row in sorted(stored.items()):
        columns = {name: row[name] for name in MessageStored.__match_args__ if name != "skip"}
        columns["created_at"] = iso(row["created_at"])
        expected.append(MessageStored(**columns, skip=batch[index].skip))
    assert sorted(decoded, key=lambda event: event.id) == expected
    assert all(len(payload.encode()) <= notify.MAX_PAYLOAD_BYTES for payload in payloads)
    assert len(payloads) < len(batch)  # the small ones shared payloads
    assert any('"chunk"' in payload for payload in payloads)  # the largest travelled in chunks
