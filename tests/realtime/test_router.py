"""The router alone: fan-out to several tabs, a slow consumer dropped, never awaiting a mailbox,
and never losing an event in silence."""

from __future__ import annotations

import json

import trio
import trio.testing

from server import events
from server.realtime import protocol
from server.realtime.router import INBOX_SIZE, Router


class FakeConnection:
    """A SessionActor's mailbox without a socket: a bounded channel nobody drains."""

    def __init__(self, user_id: int, *, session_id: int = 1, size: int = 4):
        self.id = f"conn-{user_id}-{id(self)}"
        self.user_id = user_id
        self.session_id = session_id
        self.send, self.receive = trio.open_memory_channel[bytes](size)
        self.closed_with: int | None = None

    def deliver_nowait(self, data: bytes) -> bool:
        try:
            self.send.send_nowait(data)
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
                out.append(json.loads(text_of(self.receive.receive_nowait())))
            except trio.WouldBlock:
                return out


def text_of(frame: bytes) -> str:
    """The payload of one unmasked WebSocket text frame (what the router queues)."""
    assert frame[0] == 0x81, frame[:2]
    size = frame[1] & 0x7F
    start = 2 if size < 126 else 4 if size == 126 else 10
    return frame[start:].decode()


def online(router: Router, connection: FakeConnection, group_ids=()) -> FakeConnection:
    """Register a socket and load its user's groups, as the endpoint does."""
    router.register(connection)
    router.groups_loaded(connection, group_ids)
    return connection


def notified(user_id: int, n: int) -> events.Notified:
    return events.Notified(user_id, {"id": n}, unread_count=n)


def notification_frame(n: int) -> dict:
    return {"type": "notification", "notification": {"id": n}, "unread_count": n}


def stored(n: int, *, sender: int = 99, to: int | None = None, group: int | None = None,
           skip: str | None = None) -> events.MessageStored:  # fmt: skip
    return events.MessageStored(
        id=n, sender_id=sender, recipient_id=to, group_id=group, body="hi", client_msg_id=None,
        created_at="2026-11-30T12:00:00.000Z", sender_first_name="Sam", sender_last_name="Ng",
        sender_nickname=None, sender_avatar_id=None, skip=skip,
    )  # fmt: skip


def message_shape(n: int, sender: int, conversation: dict) -> dict:
    card = {"id": sender, "first_name": "Sam", "last_name": "Ng", "nickname": None}
    return {
        "id": n,
        "sender": {**card, "avatar_url": None},
        "body": "hi",
        "created_at": "2026-11-30T12:00:00.000Z",
        "client_msg_id": None,
        "conversation": conversation,
    }


def group_message(group_id: int, n: int, *, skip: str | None = None) -> events.MessageStored:
    return stored(n, group=group_id, skip=skip)


def group_frame(group_id: int, n: int) -> dict:
    message = message_shape(n, 99, {"kind": "group", "id": group_id})
    return {"type": "chat.message", "message": message}


def test_fan_out_reaches_every_tab_of_every_recipient_and_nobody_else():
    router = Router()
    alice_tab1, alice_tab2, bob = (online(router, FakeConnection(u), [10]) for u in (1, 1, 2))
    carol = online(router, FakeConnection(3), [])
    router.route(group_message(10, 7))
    assert alice_tab1.frames() == alice_tab2.frames() == bob.frames() == [group_frame(10, 7)]
    assert carol.frames() == []


def test_a_direct_message_reaches_both_sides_each_naming_the_other_but_the_sending_tab():
    router = Router()
    tab1, tab2 = online(router, FakeConnection(1)), online(router, FakeConnection(1))
    peer = online(router, FakeConnection(2))
    router.route(stored(5, sender=1, to=2, skip=tab1.id))
    assert tab1.frames() == []
    assert tab2.frames() == [
        {"type": "chat.message", "message": message_shape(5, 1, {"kind": "direct", "id": 2})}
    ]
    assert peer.frames() == [
        {"type": "chat.message", "message": message_shape(5, 1, {"kind": "direct", "id": 1})}
    ]


def test_a_full_mailbox_closes_that_socket_and_the_others_still_receive():
    router = Router()
    slow, fast = (
        online(router, FakeConnection(1, size=2)),
        online(router, FakeConnection(2, size=100)),
    )
    for n in range(10):
        router.route(notified(1, n))  # synchronous: the router never awaits
        router.route(notified(2, n))
    assert slow.closed_with == protocol.CLOSE_TOO_SLOW
    assert [f["unread_count"] for f in fast.frames()] == list(range(10))
    assert fast.closed_with is None
    # The slow socket is forgotten at once, not when its task gets round to it.
    assert router.connections_of(1) == frozenset() and router.open_sockets == 1


def test_unregister_forgets_the_socket():
    router = Router()
    tab = online(router, FakeConnection(1))
    assert router.open_sockets == 1 and router.online_users == 1
    router.unregister(tab)
    router.route(notified(1, 1))
    assert tab.frames() == [] and router.open_sockets == 0 and router.online_users == 0


def test_close_session_closes_only_that_sessions_sockets():
    router = Router()
    laptop1, laptop2 = FakeConnection(1, session_id=10), FakeConnection(1, session_id=10)
    phone = FakeConnection(1, session_id=11)
    for connection in (laptop1, laptop2, phone):
        online(router, connection)
    forgotten = []
    router.on_session_ended.append(forgotten.append)
    router.route(events.SessionEnded(10))
    assert laptop1.closed_with == laptop2.closed_with == protocol.CLOSE_SESSION_ENDED
    assert phone.closed_with is None
    assert forgotten == [10]


def test_sessions_ended_closes_every_session_of_the_user_but_the_kept_one():
    router = Router()
    kept, other1, other2 = (FakeConnection(1, session_id=n) for n in (10, 11, 12))
    someone_else = FakeConnection(2, session_id=20)
    for connection in (kept, other1, other2, someone_else):
        online(router, connection)
    forgotten = []
    router.on_sessions_ended.append(lambda user, keep: forgotten.append((user, keep)))
    router.route(events.SessionsEnded(1, keep=10))
    assert other1.closed_with == other2.closed_with == protocol.CLOSE_SESSION_ENDED
    assert kept.closed_with is None and someone_else.closed_with is None
    assert forgotten == [(1, 10)]
    router.route(events.SessionsEnded(1))
    assert kept.closed_with == protocol.CLOSE_SESSION_ENDED
    assert router.connections_of(1) == frozenset()


def test_each_routed_event_is_logged_once_as_structured_fields(caplog):
    router = Router()
    online(router, FakeConnection(1))
    with caplog.at_level("INFO", logger="socialnet.router"):
        router.route(stored(3, sender=2, to=1))
    (record,) = caplog.records
    assert record.getMessage() == "routed"
    fields = record.fields
    assert fields["type"] == "chat.message" and fields["message_id"] == 3
    assert (fields["recipients"], fields["sockets"], fields["dropped"]) == (2, 1, 0)
    assert fields["ms"] >= 0


def test_a_worker_that_does_not_log_every_event_logs_only_what_reached_its_sockets(caplog):
    router = Router(log_every_event=False)  # one of several workers (server/workers.py)
    online(router, FakeConnection(1))
    with caplog.at_level("INFO", logger="socialnet.router"):
        router.route(notified(2, 3))  # nobody here
        router.route(notified(1, 4))
    (record,) = caplog.records
    assert record.fields["notification_id"] == 4 and record.fields["sockets"] == 1


async def test_run_drains_the_inbox_in_order():
    router = Router()
    tab = online(router, FakeConnection(1, size=10))
    async with trio.open_nursery() as nursery:
        await nursery.start(router.run)
        for n in range(3):
            router.submit_nowait(notified(1, n))
        await trio.testing.wait_all_tasks_blocked()  # the router blocks only on an empty inbox
        assert [f["unread_count"] for f in tab.frames()] == [0, 1, 2]
        nursery.cancel_scope.cancel()


def test_group_fan_out_follows_membership_without_a_database():
    router = Router()
    alice = online(router, FakeConnection(1), [10])
    bob = online(router, FakeConnection(2), [10, 11])
    carol = online(router, FakeConnection(3), [])
    router.route(group_message(10, 1))
    assert alice.frames() == bob.frames() == [group_frame(10, 1)] and carol.frames() == []

    router.route(events.MembershipChanged(10, carol.user_id, member=True))
    router.route(events.MembershipChanged(10, alice.user_id, member=False))
    router.route(group_message(10, 2, skip=bob.id))
    assert carol.frames() == [group_frame(10, 2)] and alice.frames() == [] and bob.frames() == []

    router.unregister(bob)
    assert router.online_members(11) == frozenset()
    # A membership event for someone not online here changes nothing.
    router.route(events.MembershipChanged(11, 99, member=True))
    assert router.online_members(11) == frozenset()


def test_membership_changes_between_registration_and_the_read_of_groups_are_not_missed():
    router = Router()
    dana = FakeConnection(4, size=10)
    router.register(dana)
    # While dana's groups are being read, she leaves group 10 and joins group 12; the read,
    # taken before those commits, still says 10.
    router.route(events.MembershipChanged(10, dana.user_id, member=False))
    router.route(events.MembershipChanged(12, dana.user_id, member=True))
    router.groups_loaded(dana, [10])
    router.route(group_message(10, 1))
    router.route(group_message(12, 2))
    assert dana.frames() == [group_frame(12, 2)]
    assert router.online_members(10) == frozenset()


async def test_a_malformed_event_does_not_stop_the_router():
    router = Router()
    tab = online(router, FakeConnection(1, size=10))
    async with trio.open_nursery() as nursery:
        await nursery.start(router.run)
        # Neither a recipient nor a group: it cannot be routed.
        router.submit_nowait(stored(1, sender=2))
        router.submit_nowait(notified(1, 5))
        await trio.testing.wait_all_tasks_blocked()
        assert tab.frames() == [notification_frame(5)]
        nursery.cancel_scope.cancel()


def test_presence_is_told_to_contacts_when_it_changes():
    router = Router()
    contact, stranger = online(router, FakeConnection(2)), online(router, FakeConnection(3))
    router.route(events.PresenceChanged(1, +1, (2,), "p1"))
    router.route(events.PresenceChanged(1, +1, (2,), "p1"))  # a second tab: no change to announce
    assert router.is_online(1)
    assert contact.frames() == [{"type": "presence", "user_id": 1, "online": True}]
    router.route(events.PresenceChanged(1, -1, (2,), "p1"))
    assert contact.frames() == [] and router.is_online(1)
    router.route(events.PresenceChanged(1, -1, (2,), "p1"))
    assert contact.frames() == [{"type": "presence", "user_id": 1, "online": False}]
    assert stranger.frames() == [] and not router.is_online(1)


def test_an_overflowing_inbox_closes_every_socket_so_that_clients_catch_up():
    router = Router()
    tabs = [online(router, FakeConnection(user)) for user in (1, 2)]
    for n in range(INBOX_SIZE):
        router.submit_nowait(notified(1, n))
    assert all(tab.closed_with is None for tab in tabs)
    router.submit_nowait(notified(1, -1))  # one too many: events are being lost here
    assert [tab.closed_with for tab in tabs] == [protocol.CLOSE_TRY_AGAIN_LATER] * 2
    assert router.open_sockets == 0


def test_a_lost_bus_closes_every_socket_and_forgets_presence():
    router = Router()
    router.bus_connected()
    tab = online(router, FakeConnection(1))
    router.route(events.PresenceChanged(2, +1, (1,), "p1"))
    assert router.is_online(2) and router.bus_ready
    router.bus_lost()
    assert tab.closed_with == protocol.CLOSE_SERVICE_RESTART
    assert not router.is_online(2) and not router.bus_ready and router.open_sockets == 0


def test_presence_counts_are_kept_per_process_and_snapshots_set_them_right():
    router = Router()
    contact = online(router, FakeConnection(2))
    router.route(events.PresenceChanged(1, +1, (2,), "p1"))
    router.route(events.PresenceChanged(1, +1, (2,), "p2"))
    assert contact.frames() == [{"type": "presence", "user_id": 1, "online": True}]
    # p1 missed the -1 of its socket (a lost bus connection); its next snapshot says the truth.
    router.route(events.PresenceSnapshot("p1", ()))
    assert router.is_online(1)  # still open on p2
    router.route(events.PresenceChanged(1, -1, (2,), "p2"))
    assert not router.is_online(1)
    assert contact.frames() == [{"type": "presence", "user_id": 1, "online": False}]


async def test_a_sync_request_from_another_process_asks_this_one_for_its_snapshot():
    router = Router()
    online(router, FakeConnection(7))
    online(router, FakeConnection(7))
    router.route(events.PresenceSyncRequested("another"))
    with trio.fail_after(1):
        await router.wait_presence_sync()
    assert router.users_here() == [7, 7]
    router.route(events.PresenceSyncRequested(router.process_id))  # our own echo: nothing
    with trio.move_on_after(0) as idle:
        await router.wait_presence_sync()
    assert idle.cancelled_caught


def test_presence_changes_are_routed_at_debug_and_the_rest_at_info(caplog):
    """Presence comes and goes with every tab: chatter for whoever tails the router's lines."""
    router = Router()
    online(router, FakeConnection(1))
    with caplog.at_level("DEBUG", logger="socialnet.router"):
        router.route(events.PresenceChanged(user_id=2, delta=1, contacts=(1,), process="p"))
        router.route(notified(1, 4))
    presence, notification = caplog.records
    assert presence.levelname == "DEBUG" and presence.fields["type"] == "presence"
    assert notification.levelname == "INFO" and notification.fields["type"] == "notification"
    caplog.clear()
    with caplog.at_level("INFO", logger="socialnet.router"):
        router.route(events.PresenceChanged(user_id=3, delta=1, contacts=(1,), process="p"))
    assert caplog.records == []
