"""The router: fans the bus's events out to the mailboxes of this process's sockets (their
registry, by user, session and group: server/realtime/registry.py).

It never waits on a socket: every put is `send_nowait`, and a full mailbox closes that one
socket (its owner reconnects and catches up over HTTP) instead of slowing everyone else.
Events arrive from the bus (every process's subscriber task) as typed events (server/events.py);
the router decides who hears of each one and builds its frames (server/realtime/protocol.py),
dumped once per audience and only when a socket here needs them.

Group fan-out needs no database: the registry knows the groups of every user online here and
keeps them right from the membership events.

Nothing is lost in silence: when the router cannot know what it missed (its inbox overflowed,
the bus connection dropped), it closes every socket here with a code that tells the client to
reconnect and catch up over HTTP (SPEC.md, Bad input and faults).

On a bus of channels (Redis: server/realtime/redis_bus.py) the router also says which channels
this process must hear (`subscriptions`): its users' and its groups' (server/events.py,
`channels`), and an event arrives with the channel it was heard on, so that one published on two
channels (a direct message: the recipient's and the sender's) reaches each side once. A socket
is accepted only once its channels are subscribed (`wait_subscribed`), so it misses nothing
from its first moment. A user who joins a group while connected here, on a process that does
not hear that group yet, may have missed the group's first events in between: their sockets here
are closed so that their clients catch up (the group's channel, once heard, carries membership
in order with the group's own events).

One log line per routed event says what it was, whom it was for, what it reached, how long it took
(at info; presence changes, which every tab opened or closed causes, at debug).
With several worker processes (server/workers.py) every one of them routes every event, and a
line saying an event reached no socket *here* would say nothing true of the whole: a worker logs
only the events that reached (or were dropped at) a socket of its own.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from typing import NoReturn

import trio

from server import events, metrics
from server.events import user_channel
from server.realtime import protocol
from server.realtime.live import LiveFeeds
from server.realtime.presence_board import PresenceBoard
from server.realtime.protocol import ServerFrame
from server.realtime.registry import Connection, SocketRegistry
from server.shapes import conversation, message_without_conversation

log = logging.getLogger("socialnet.router")

# Events queued between the bus subscriber and the router. The router only does in-memory puts,
# so this drains in microseconds; a burst longer than this means the process is overloaded.
INBOX_SIZE = 100_000


class Router(SocketRegistry):
    """The registry of this process's sockets (server/realtime/registry.py), and the routing
    of every event heard on the bus to them."""

    def __init__(self, *, log_every_event: bool = True) -> None:
        super().__init__()
        # False: log only the events that reached (or were dropped at) a socket here.
        self.log_every_event = log_every_event
        # Called with the session id when a session ends (a logout on any process).
        self.on_session_ended: list[Callable[[int], None]] = []
        # Called with (user id, the session kept or None) when all of a user's sessions but
        # one, or all of them, end (a password change or reset, an account deletion).
        self.on_sessions_ended: list[Callable[[int, int | None], None]] = []
        # This process among all that share the bus, for its presence events and snapshots.
        self.process_id = secrets.token_hex(6)
        # Open sockets per user across every process (from the bus's presence events).
        self.presence = PresenceBoard()
        # False until every process was asked for its snapshot since the bus last listened.
        self.presence_known = False
        self._presence_sync = trio.Event()
        # Whether the bus is delivering: sockets are accepted only while it is.
        self.bus_ready = False
        # What sockets watch, and who hears of each post (server/realtime/live.py).
        self.live = LiveFeeds(
            groups_of=lambda user_id: self._groups_of.get(user_id, ()),
            members_here=lambda group_id: self._online_members.get(group_id, ()),
            sockets_of=lambda user_id: self._by_user.get(user_id, ()),
        )
        self._bus_ready_event = trio.Event()
        send, receive = trio.open_memory_channel[tuple[events.Event, str | None]](INBOX_SIZE)
        self._inbox_send = send
        self._inbox_receive = receive

    def _forget_socket(self, connection: Connection) -> None:
        self.live.unwatch(connection)

    def _forget_user(self, user_id: int) -> None:
        self.live.forget_user(user_id)

    def is_online(self, user_id: int) -> bool:
        """Whether `user_id` has a socket open on any process (as the bus has told us)."""
        return self.presence.is_online(user_id)

    async def wait_presence_sync(self) -> None:
        """Return once presence must be published afresh (asked by a router, or ours lost its
        bus connection); the request is then consumed."""
        await self._presence_sync.wait()
        self._presence_sync = trio.Event()

    # --- the bus's state ---

    def bus_connected(self) -> None:
        """The bus listens (at start or again): what this router knows of presence may be
        incomplete, so the presence keeper publishes a snapshot and asks every process for
        theirs (server/realtime/presence.py)."""
        self.bus_ready = True
        self._bus_ready_event.set()
        self._presence_sync.set()

    async def wait_bus_ready(self) -> None:
        """Return once the bus delivers (at start, and again after a loss)."""
        await self._bus_ready_event.wait()

    def bus_lost(self) -> None:
        """The bus connection dropped: whatever was published meanwhile never reaches us.
        Every socket here is closed so that its client reconnects (once the bus is back) and
        catches up; the presence counts heard so far are no longer true and start afresh."""
        self.bus_ready = False
        self._bus_ready_event = trio.Event()
        self.presence.clear()
        self.presence_known = False
        self.close_all(protocol.CLOSE_SERVICE_RESTART)

    # --- events ---

    def submit_nowait(self, event: events.Event, heard_on: str | None = None) -> None:
        """Hand an event to the router (from the bus subscriber), with the channel it was heard
        on (a bus of channels) or None (the Postgres bus: it is for everyone here). Never
        blocks. When the inbox is full the event is lost to this process, and so may be others:
        every socket here is closed so that its client catches up rather than wait for what
        will not come."""
        try:
            self._inbox_send.send_nowait((event, heard_on))
        except trio.WouldBlock:
            log.error(
                "router inbox full; closing every socket here so their clients catch up",
                extra={"fields": {"sockets": self.open_sockets}},
            )
            self.close_all(protocol.CLOSE_TRY_AGAIN_LATER)

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        task_status.started()
        async for event, heard_on in self._inbox_receive:
            try:
                self.route(event, heard_on)
            except Exception:
                # One malformed event must not stop delivery for everyone else.
                log.exception("could not route event", extra={"fields": {"op": event.name}})
        raise AssertionError("the router inbox never closes")

    def route(self, event: events.Event, heard_on: str | None = None) -> None:
        started = time.perf_counter()
        metrics.COUNTS.routed[event.name] += 1
        match event:
            case events.MessageStored():
                outcome = self._message(event, heard_on)
            case events.Notified(user_id=user_id):
                frame = protocol.NotificationFrame(event.notification, event.unread_count)
                outcome = self._deliver((user_id,), frame)
            case events.ReadMarkerMoved(user_id=user_id):
                where = conversation(event.kind, event.conversation_id)
                frame = protocol.ChatReadFrame(where, event.up_to)
                outcome = self._deliver((user_id,), frame, skip=event.skip)
            case events.Typing():
                outcome = self._typing(event)
            case events.EventAnswered(group_id=group_id):
                frame = protocol.EventResponseFrame(event.event, event.user_id, event.response)
                outcome = self._deliver(self._members(group_id), frame)
            case events.MembershipChanged():
                self.membership_changed(event, heard_on)
                return
            case events.PresenceChanged():
                outcome = self._presence_changed(event)
                if not outcome.recipients:
                    return
            case events.PresenceSnapshot():
                self.presence.snapshot(event.process, event.users, time.monotonic())
                return
            case events.PresenceSyncRequested(process=process):
                if process != self.process_id:
                    self._presence_sync.set()
                return
            case events.SessionEnded(session_id=session_id):
                outcome = Outcome(recipients=1, reached=self._close_session(session_id))
            case events.SessionsEnded(user_id=user_id, keep=keep):
                outcome = Outcome(recipients=1, reached=self._close_sessions_of(user_id, keep))
            case events.PostEvent():
                outcome = Outcome()
                for frame, connections in self.live.audiences(event):
                    outcome += self._deliver_to(connections, frame)
            case events.FollowChanged() | events.BlockChanged():
                self.live.follow_or_block(event)
                return
            case _:
                log.warning("unknown event %r", event)
                return
        if not (self.log_every_event or outcome.reached or outcome.dropped):
            return
        # Presence comes and goes with every tab: its lines are chatter, at debug.
        level = logging.DEBUG if isinstance(event, events.PresenceChanged) else logging.INFO
        if not log.isEnabledFor(level):
            return
        fields = _summary(event, outcome)
        fields["ms"] = round((time.perf_counter() - started) * 1000, 3)
        log.log(level, "routed", extra={"fields": fields})

    def _members(self, group_id: int) -> tuple[int, ...]:
        return tuple(self._online_members.get(group_id, ()))

    def _message(self, event: events.MessageStored, heard_on: str | None) -> Outcome:
        """A group message to the room; a direct one to both sides, each naming the other (to
        one side only when heard on that side's channel: the other channel carries it too)."""
        metrics.message_routed(event.created_at)
        shaped = message_without_conversation(event.as_row())
        if event.group_id is not None:
            message = {**shaped, "conversation": conversation("group", event.group_id)}
            frame = protocol.ChatMessageFrame(message)
            return self._deliver(self._members(event.group_id), frame, skip=event.skip)
        assert event.recipient_id is not None
        outcome = Outcome(frame_type=protocol.ChatMessageFrame.type)
        if heard_on in (None, user_channel(event.recipient_id)):
            to_recipient = {**shaped, "conversation": conversation("direct", event.sender_id)}
            frame = protocol.ChatMessageFrame(to_recipient)
            outcome = outcome + self._deliver((event.recipient_id,), frame)
        if heard_on in (None, user_channel(event.sender_id)):
            to_sender = {**shaped, "conversation": conversation("direct", event.recipient_id)}
            frame = protocol.ChatMessageFrame(to_sender)
            outcome = outcome + self._deliver((event.sender_id,), frame, skip=event.skip)
        return outcome

    def _typing(self, event: events.Typing) -> Outcome:
        if event.kind == "group":
            where = conversation("group", event.target_id)
            frame = protocol.ChatTypingFrame(where, event.user)
            return self._deliver(self._members(event.target_id), frame, skip=event.skip)
        frame = protocol.ChatTypingFrame(conversation("direct", event.user["id"]), event.user)
        return self._deliver((event.target_id,), frame)

    def _presence_changed(self, event: events.PresenceChanged) -> Outcome:
        """Count the user's sockets; tell their contacts here when they come or go."""
        now = time.monotonic()
        if not self.presence.change(event.process, event.user_id, event.delta, now):
            return Outcome()
        online = self.presence.is_online(event.user_id)
        return self._deliver(event.contacts, protocol.PresenceFrame(event.user_id, online))

    def _deliver(
        self, users: Iterable[int], frame: ServerFrame, *, skip: str | None = None
    ) -> Outcome:
        data = None  # encoded once for every socket, and only if one is here
        outcome = Outcome(frame_type=frame.type)
        for user_id in users:
            outcome.recipients += 1
            for connection in tuple(self._by_user.get(user_id, ())):
                if connection.id == skip:
                    continue
                if data is None:
                    data = protocol.wire(frame)
                if connection.deliver_nowait(data):
                    outcome.reached += 1
                else:
                    outcome.dropped += 1
                    self.unregister(connection)  # it is closing: nothing more goes to it
        return outcome

    def _deliver_to(self, connections: list[Connection], frame: ServerFrame) -> Outcome:
        """One frame to these sockets, encoded once (and only when there is one)."""
        outcome = Outcome(frame_type=frame.type, recipients=len(connections))
        if not connections:
            return outcome
        data = protocol.wire(frame)
        for connection in connections:
            if connection.deliver_nowait(data):
                outcome.reached += 1
            else:
                outcome.dropped += 1
                self.unregister(connection)
        return outcome

    def _close_session(self, session_id: int) -> int:
        for callback in self.on_session_ended:
            callback(session_id)
        connections = tuple(self._by_session.get(session_id, ()))
        for connection in connections:
            connection.close(protocol.CLOSE_SESSION_ENDED)
            self.unregister(connection)
        return len(connections)

    def _close_sessions_of(self, user_id: int, keep: int | None) -> int:
        for callback in self.on_sessions_ended:
            callback(user_id, keep)
        connections = [c for c in self._by_user.get(user_id, ()) if c.session_id != keep]
        for connection in connections:
            connection.close(protocol.CLOSE_SESSION_ENDED)
            self.unregister(connection)
        return len(connections)


class Outcome:
    """What routing one event did: people it was for, sockets reached, sockets dropped."""

    __slots__ = ("frame_type", "recipients", "reached", "dropped")

    def __init__(self, frame_type: str | None = None, recipients: int = 0, reached: int = 0):
        self.frame_type = frame_type
        self.recipients = recipients
        self.reached = reached
        self.dropped = 0

    def __add__(self, other: Outcome) -> Outcome:
        total = Outcome(self.frame_type or other.frame_type, self.recipients + other.recipients)
        total.reached = self.reached + other.reached
        total.dropped = self.dropped + other.dropped
        return total


def _summary(event: events.Event, outcome: Outcome) -> dict:
    """The ids worth a log line, without message bodies."""
    fields: dict = {"type": outcome.frame_type or event.name}
    match event:
        case events.Notified():
            fields["users"] = [event.user_id]
            fields["notification_id"] = event.notification.get("id")
        case events.MessageStored():
            fields["message_id"] = event.id
            if event.group_id is not None:
                fields["group_id"] = event.group_id
            else:
                fields["users"] = [event.recipient_id, event.sender_id]
        case events.EventAnswered() | events.MembershipChanged():
            fields["group_id"] = event.group_id
        case events.SessionEnded():
            fields["session_id"] = event.session_id
        case events.SessionsEnded():
            fields["users"] = [event.user_id]
            fields["kept_session_id"] = event.keep
        case events.PresenceChanged():
            fields["users"] = list(event.contacts[:20])
        case events.PostEvent():
            fields["post_id"] = event.post_id
    fields.update(recipients=outcome.recipients, sockets=outcome.reached, dropped=outcome.dropped)
    return fields
