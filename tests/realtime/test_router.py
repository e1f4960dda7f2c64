"""The router alone: fan-out to several tabs, a slow consumer dropped, never awaiting a mailbox."""

from __future__ import annotations

import json

import trio
import trio.testing

from server.realtime import protocol
from server.realtime.bus import close_session, deliver, deliver_group, membership, presence
from server.realtime.router import Router


class FakeConnection:
    """A SessionActor's mailbox without a socket: a bounded channel nobody drains."""

    def __init__(self, user_id: int, *, session_id: int = 1, size: int = 4):
        self.id = f"conn-{user_id}-{id(self)}"
        self.user_id = user_id
        self.session_id = session_id
        self.send, self.receive = trio.open_memory_channel[str](size)
        self.closed_with: int | None = None

    def deliver_nowait(self, text: str) -> bool:
        try:
            self.send.send_nowait(text)
        except trio.WouldBlock:
            self.close(protocol.CLOSE_TOO_SLOW)
            return False
        return True

    def close(self, code: int) -> None:
        self.closed_with = code

    def frames(self) -> list[dict]:
        out = []
        while True:
            try:
                out.append(json.loads(self.receive.receive_nowait()))
            except trio.WouldBlock:
                return out


def frame(n: int) -> dict:
    return {"type": "notification", "notification": {"id": n}, "unread_count": n}


def test_fan_out_reaches_every_tab_of_every_recipient_and_nobody_else():
    router = Router()
    alice_tab1, alice_tab2, bob, carol = (
        FakeConnection(1), FakeConnection(1), FakeConnection(2), FakeConnection(3)
    )  # fmt: skip
    for connection in (alice_tab1, alice_tab2, bob, carol):
        router.register(connection)
    router.route(deliver([1, 2], frame(7)))
    assert alice_tab1.frames() == alice_tab2.frames() == bob.frames() == [frame(7)]
    assert carol.frames() == []


def test_skip_leaves_out_the_sending_tab():
    router = Router()
    tab1, tab2 = FakeConnection(1), FakeConnection(1)
    router.register(tab1)
    router.register(tab2)
    router.route(deliver([1], frame(1), skip=tab1.id))
    assert tab1.frames() == [] and tab2.frames() == [frame(1)]


def test_a_full_mailbox_closes_that_socket_and_the_others_still_receive():
    router = Router()
    slow, fast = FakeConnection(1, size=2), FakeConnection(2, size=100)
    router.register(slow)
    router.register(fast)
    for n in range(10):
        router.route(deliver([1, 2], frame(n)))  # synchronous: the router never awaits
    assert slow.closed_with == protocol.CLOSE_TOO_SLOW
    assert [f["unread_count"] for f in fast.frames()] == list(range(10))
    assert fast.closed_with is None


def test_unregister_forgets_the_socket():
    router = Router()
    tab = FakeConnection(1)
    router.register(tab)
    assert router.open_sockets == 1 and router.online_users == 1
    router.unregister(tab)
    router.route(deliver([1], frame(1)))
    assert tab.frames() == [] and router.open_sockets == 0 and router.online_users == 0


def test_close_session_closes_only_that_sessions_sockets():
    router = Router()
    laptop1, laptop2 = FakeConnection(1, session_id=10), FakeConnection(1, session_id=10)
    phone = FakeConnection(1, session_id=11)
    for connection in (laptop1, laptop2, phone):
        router.register(connection)
    router.route(close_session(10))
    assert laptop1.closed_with == laptop2.closed_with == protocol.CLOSE_SESSION_ENDED
    assert phone.closed_with is None


def test_each_routed_event_is_logged_once_as_structured_fields(caplog):
    router = Router()
    router.register(FakeConnection(1))
    with caplog.at_level("INFO", logger="socialnet.router"):
        router.route(deliver([1, 2], frame(3)))
    (record,) = caplog.records
    assert record.getMessage() == "routed"
    fields = record.fields
    assert fields["type"] == "notification" and fields["notification_id"] == 3
    assert (fields["recipients"], fields["sockets"], fields["dropped"]) == (2, 1, 0)
    assert fields["ms"] >= 0


def test_a_worker_that_does_not_log_every_event_logs_only_what_reached_its_sockets(caplog):
    router = Router(log_every_event=False)  # one of several workers (server/workers.py)
    router.register(FakeConnection(1))
    with caplog.at_level("INFO", logger="socialnet.router"):
        router.route(deliver([2], frame(3)))  # nobody here
        router.route(deliver([1], frame(4)))
    (record,) = caplog.records
    assert record.fields["notification_id"] == 4 and record.fields["sockets"] == 1


async def test_run_drains_the_inbox_in_order():
    router = Router()
    tab = FakeConnection(1, size=10)
    router.register(tab)
    async with trio.open_nursery() as nursery:
        await nursery.start(router.run)
        for n in range(3):
            router.submit_nowait(deliver([1], frame(n)))
        await trio.testing.wait_all_tasks_blocked()  # the router blocks only on an empty inbox
        assert [f["unread_count"] for f in tab.frames()] == [0, 1, 2]
        nursery.cancel_scope.cancel()


def test_group_fan_out_follows_membership_without_a_database():
    router = Router()
    alice, bob, carol = FakeConnection(1), FakeConnection(2), FakeConnection(3)
    router.register(alice, group_ids=[10])
    router.register(bob, group_ids=[10, 11])
    router.register(carol, group_ids=[])
    router.route(deliver_group(10, frame(1)))
    assert alice.frames() == bob.frames() == [frame(1)] and carol.frames() == []

    router.route(membership(10, carol.user_id, member=True))
    router.route(membership(10, alice.user_id, member=False))
    router.route(deliver_group(10, frame(2), skip=bob.id))
    assert carol.frames() == [frame(2)] and alice.frames() == [] and bob.frames() == []

    router.unregister(bob)
    assert router.online_members(11) == frozenset()
    # A membership event for someone not online here changes nothing.
    router.route(membership(11, 99, member=True))
    assert router.online_members(11) == frozenset()


async def test_a_malformed_event_does_not_stop_the_router():
    router = Router()
    tab = FakeConnection(1, size=10)
    router.register(tab)
    async with trio.open_nursery() as nursery:
        await nursery.start(router.run)
        router.submit_nowait({"op": "deliver", "users": [1]})  # no frame
        router.submit_nowait(deliver([1], frame(5)))
        await trio.testing.wait_all_tasks_blocked()
        assert tab.frames() == [frame(5)]
        nursery.cancel_scope.cancel()


def test_presence_is_told_to_contacts_when_it_changes():
    router = Router()
    contact, stranger = FakeConnection(2), FakeConnection(3)
    router.register(contact)
    router.register(stranger)
    router.route(presence(1, delta=+1, contacts=[2]))
    router.route(presence(1, delta=+1, contacts=[2]))  # a second tab: no change to announce
    assert router.is_online(1)
    assert contact.frames() == [{"type": "presence", "user_id": 1, "online": True}]
    router.route(presence(1, delta=-1, contacts=[2]))
    assert contact.frames() == [] and router.is_online(1)
    router.route(presence(1, delta=-1, contacts=[2]))
    assert contact.frames() == [{"type": "presence", "user_id": 1, "online": False}]
    assert stranger.frames() == [] and not router.is_online(1)
