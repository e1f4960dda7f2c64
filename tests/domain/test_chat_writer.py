"""The chat writer stores a whole batch in one transaction and still answers each send as the
single-message path would: stored, a repeat, not allowed, or unknown."""

from __future__ import annotations

import pytest
import trio
import trio.testing
import trio_asyncio

from server.db.database import open_pool
from server.domain.chat_writer import MessageWriter, StoreFailed
from server.errors import ChatNotAllowed, NotFound
from tests.http.test_groups import create_group, make_member


@pytest.fixture
async def db(server):
    async with trio_asyncio.open_loop():
        async with open_pool(server.config.database_url, size=2) as pool:
            yield pool


async def test_one_batch_answers_every_send_on_its_own(server, db, alice, bob, carol):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    group = await create_group(alice)
    await make_member(alice, group, bob)
    writer = MessageWriter(db)
    sends = {
        "stored": (alice.id, "direct", bob.id, "hi", "x1"),
        "repeat": (alice.id, "direct", bob.id, "hi", "x1"),
        "stranger": (carol.id, "direct", bob.id, "hi", None),
        "unknown": (alice.id, "direct", 999_999, "hi", None),
        "room": (bob.id, "group", group["id"], "crag?", None),
        "outsider": (carol.id, "group", group["id"], "me?", None),
        "no group": (alice.id, "group", 999_999, "?", None),
    }
    results: dict = {}
    all_answered = trio.Event()

    async def send(name, args):
        try:
            results[name] = await writer.send(*args)
        except (ChatNotAllowed, NotFound) as error:
            results[name] = error
        if len(results) == len(sends):
            all_answered.set()

    async with trio.open_nursery() as nursery:
        for name, args in sends.items():
            nursery.start_soon(send, name, args)
        await trio.testing.wait_all_tasks_blocked()  # every send is queued...
        nursery.start_soon(writer.run)  # ...before the writer takes its first batch
        with trio.fail_after(10):
            await all_answered.wait()
        nursery.cancel_scope.cancel()

    # The same client_msg_id twice: whichever was queued first is stored, the other repeats it.
    (stored, created), (repeat, created_again) = results["stored"], results["repeat"]
    assert sorted([created, created_again]) == [False, True]
    assert stored["id"] == repeat["id"]
    assert stored["body"] == "hi" and stored["recipient_id"] == bob.id
    assert isinstance(results["stranger"], ChatNotAllowed)
    assert isinstance(results["unknown"], NotFound)
    room, _ = results["room"]
    assert room["group_id"] == group["id"]
    assert isinstance(results["outsider"], ChatNotAllowed)
    assert isinstance(results["no group"], NotFound)
    history = (await bob.client.get(f"/api/chats/direct/{alice.id}/messages")).json()["items"]
    assert [m["id"] for m in history] == [stored["id"]]


async def test_a_batch_that_fails_stores_every_message_it_can_on_its_own(server, db, alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    writer = MessageWriter(db)
    # A body no encoder can send (a lone surrogate) fails the whole batch's statement: the
    # chat rules refuse it long before the writer, but whatever fails a batch must not take
    # the other senders' messages with it.
    bodies = {"first": "one", "bad": "p\ud800", "second": "two", "third": "three"}
    results: dict = {}
    all_answered = trio.Event()

    async def send(name, body):
        try:
            results[name] = await writer.send(alice.id, "direct", bob.id, body, name)
        except StoreFailed as error:
            results[name] = error
        if len(results) == len(bodies):
            all_answered.set()

    async with trio.open_nursery() as nursery:
        for name, body in bodies.items():
            nursery.start_soon(send, name, body)
        await trio.testing.wait_all_tasks_blocked()  # one batch of four...
        nursery.start_soon(writer.run)
        with trio.fail_after(10):
            await all_answered.wait()
        nursery.cancel_scope.cancel()

    assert isinstance(results["bad"], StoreFailed) and results["bad"].code == "unavailable"
    stored = {name: results[name][0]["body"] for name in ("first", "second", "third")}
    assert stored == {"first": "one", "second": "two", "third": "three"}
    history = (await bob.client.get(f"/api/chats/direct/{alice.id}/messages")).json()["items"]
    assert sorted(m["body"] for m in history) == ["one", "three", "two"]


@pytest.mark.parametrize(("window", "batches"), [(0.0, 2), (0.5, 1)])
async def test_a_message_within_the_window_joins_the_batch(server, db, alice, bob, window, batches):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    writer = MessageWriter(db, window=window)
    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as sends:
            sends.start_soon(writer.send, alice.id, "direct", bob.id, "first", "w1")
            await trio.testing.wait_all_tasks_blocked()  # the writer holds the first message
            sends.start_soon(writer.send, alice.id, "direct", bob.id, "second", "w2")
        nursery.cancel_scope.cancel()
    assert writer.batches_written == batches
