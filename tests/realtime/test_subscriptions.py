"""The channels a process hears on a Redis bus (server/realtime/subscriptions.py), kept on a real
Redis: what the router's sockets need is subscribed before a socket is accepted, released when
the last socket that needed it goes, and a channel on its way out is never trusted."""

from __future__ import annotations

import coredis
import pytest
import trio
import trio.testing
from coredis.retry import NoRetryPolicy

from server import events
from server.events import BROADCAST
from server.realtime import protocol
from server.realtime.router import Router
from server.realtime.subscriptions import Subscriptions
from tests.realtime.test_router import FakeConnection, group_frame, group_message, stored
from tests.redis import _nodes_of

pytestmark = pytest.mark.usefixtures("redis_url")


@pytest.fixture
async def subscribed_router(redis_url):
    """A router whose subscriptions a real Redis connection keeps."""
    host, port = _nodes_of(redis_url)[0]
    router = Router()
    router.subscriptions = Subscriptions()
    client = coredis.Redis(host=host, port=port, decode_responses=True)
    async with (
        client,
        client.pubsub(retry_policy=NoRetryPolicy()) as pubsub,
        trio.open_nursery() as keeper,
    ):
        await keeper.start(router.subscriptions.keep, pubsub)
        yield router
        keeper.cancel_scope.cancel()


async def test_a_socket_waits_for_its_users_and_groups_channels(subscribed_router):
    router = subscribed_router
    subscriptions = router.subscriptions
    alice = FakeConnection(1)
    router.register(alice)
    with trio.fail_after(5):
        await router.wait_subscribed(alice.user_id)
    assert subscriptions.held("u:1") and subscriptions.held(BROADCAST)
    router.groups_loaded(alice, [10, 11])
    with trio.fail_after(5):
        await router.wait_subscribed(alice.user_id)
    assert subscriptions.held("g:10") and subscriptions.held("g:11")

    # The last socket that needed a channel goes: it is released, and no longer trusted from
    # the moment the keeper starts leaving it.
    router.unregister(alice)
    assert subscriptions.wanted == {BROADCAST}
    await trio.testing.wait_all_tasks_blocked()
    assert not subscriptions.held("u:1") and not subscriptions.held("g:10")
    assert subscriptions.held(BROADCAST)


async def test_a_channel_wanted_again_while_it_is_being_left_is_subscribed_afresh(
    subscribed_router,
):
    router = subscribed_router
    first = FakeConnection(1)
    router.register(first)
    with trio.fail_after(5):
        await router.wait_subscribed(1)
    router.unregister(first)
    second = FakeConnection(1)
    router.register(second)  # before the keeper has even sent the unsubscription
    with trio.fail_after(5):
        await router.wait_subscribed(1)
    assert router.subscriptions.held("u:1")


async def test_a_direct_message_heard_on_one_sides_channel_reaches_that_side_only():
    router = Router()
    alice, bob = FakeConnection(1), FakeConnection(2)
    for connection in (alice, bob):
        router.register(connection)
        router.groups_loaded(connection, [])
    event = stored(1, sender=1, to=2)
    router.route(event, "u:2")
    assert [f["message"]["conversation"] for f in bob.frames()] == [{"kind": "direct", "id": 1}]
    assert alice.frames() == []
    router.route(event, "u:1")
    assert [f["message"]["conversation"] for f in alice.frames()] == [{"kind": "direct", "id": 2}]
    assert bob.frames() == []


async def test_joining_a_group_this_process_does_not_hear_yet_makes_the_users_sockets_catch_up(
    subscribed_router,
):
    """Its first events may have been published before this process subscribes: the sockets
    are closed (1012) so that their clients catch up over HTTP, never left to miss them."""
    router = subscribed_router
    dan = FakeConnection(4)
    router.register(dan)
    router.groups_loaded(dan, [])
    with trio.fail_after(5):
        await router.wait_subscribed(dan.user_id)
    router.route(events.MembershipChanged(12, dan.user_id, member=True), "u:4")
    assert dan.closed_with == protocol.CLOSE_SERVICE_RESTART
    assert router.connections_of(dan.user_id) == frozenset()


async def test_membership_of_a_group_heard_here_follows_the_groups_own_channel(subscribed_router):
    """With another member online here, the group's channel carries membership in order with
    the group's messages: the copy on the user's channel is not needed (nor trusted, since it
    may arrive late)."""
    router = subscribed_router
    alice, dan = FakeConnection(1, size=10), FakeConnection(4, size=10)
    router.register(alice)
    router.groups_loaded(alice, [12])
    router.register(dan)
    router.groups_loaded(dan, [])
    with trio.fail_after(5):
        await router.wait_subscribed(alice.user_id)
        await router.wait_subscribed(dan.user_id)
    joined = events.MembershipChanged(12, dan.user_id, member=True)
    router.route(joined, "u:4")  # not needed: the group's channel is heard here
    router.route(joined, "g:12")
    router.route(group_message(12, 1), "g:12")
    router.route(events.MembershipChanged(12, dan.user_id, member=False), "g:12")
    router.route(joined, "u:4")  # a late copy of the join must not bring him back
    router.route(group_message(12, 2), "g:12")
    assert dan.closed_with is None
    assert dan.frames() == [group_frame(12, 1)]
    assert alice.frames() == [group_frame(12, 1), group_frame(12, 2)]
