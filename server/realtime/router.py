"""The router: owns the registry of open sockets and fans events out to their mailboxes.

It never waits on a socket: every put is `send_nowait`, and a full mailbox closes that one
socket (its owner reconnects and catches up over HTTP) instead of slowing everyone else.
Events arrive from the bus (every process's LISTEN task) as already-decoded dicts:

    {"op": "deliver", "users": [ids], "frame": {...}, "skip": "<connection id>"?}
    {"op": "deliver_group", "group_id": id, "frame": {...}, "skip": "<connection id>"?}
    {"op": "membership", "group_id": id, "user_id": id, "member": bool}
    {"op": "presence", "user_id": id, "delta": +1 | -1, "contacts": [ids]}
    {"op": "close_session", "session_id": id}

Group fan-out needs no database: the router knows the groups of every user online here (read
once when their first socket opens) and keeps them right from the membership events.

One log line per routed event says what it was, whom it was for, what it reached, how long it took.
With several worker processes (server/workers.py) every one of them routes every event, and a
line saying an event reached no socket *here* would say nothing true of the whole: a worker logs
only the events that reached (or were dropped at) a socket of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import NoReturn, Protocol

import trio

from server.realtime import protocol

log = logging.getLogger("socialnet.router")

# Events queued between the LISTEN task and the router. The router only does in-memory puts,
# so this drains in microseconds; a burst longer than this means the process is overloaded.
INBOX_SIZE = 100_000


class Connection(Protocol):
    """What the router needs of a SessionActor."""

    id: str
    user_id: int
    session_id: int

    def deliver_nowait(self, text: str) -> bool:
        """Queue one frame; False when the mailbox is full (the actor then closes itself)."""

    def close(self, code: int) -> None: ...


class Router:
    def __init__(self, *, log_every_event: bool = True) -> None:
        # False: log only the events that reached (or were dropped at) a socket here.
        self.log_every_event = log_every_event
        # Called with the session id when a session ends (a logout on any process).
        self.on_session_ended: list[Callable[[int], None]] = []
        self._by_user: dict[int, set[Connection]] = {}
        self._by_session: dict[int, set[Connection]] = {}
        # Online users only: their groups, and each group's online members.
        self._groups_of: dict[int, set[int]] = {}
        self._online_members: dict[int, set[int]] = {}
        # Open sockets per user across every process (from the bus's presence events).
        self._presence: dict[int, int] = {}
        self._no_sockets = trio.Event()
        self._no_sockets.set()
        send, receive = trio.open_memory_channel[dict](INBOX_SIZE)
        self._inbox_send = send
        self._inbox_receive = receive

    # --- the registry (called by actors; synchronous so cleanup can never be interrupted) ---

    def register(self, connection: Connection, group_ids: Iterable[int] = ()) -> None:
        """Add a socket; `group_ids` are its user's groups, read when the socket opened."""
        user_id = connection.user_id
        if self._no_sockets.is_set():
            self._no_sockets = trio.Event()
        self._by_user.setdefault(user_id, set()).add(connection)
        self._by_session.setdefault(connection.session_id, set()).add(connection)
        for group_id in group_ids:
            self._add_member(group_id, user_id)

    def unregister(self, connection: Connection) -> None:
        user_id = connection.user_id
        _discard(self._by_user, user_id, connection)
        _discard(self._by_session, connection.session_id, connection)
        if user_id not in self._by_user:  # the user's last socket here closed
            for group_id in self._groups_of.pop(user_id, ()):
                _discard(self._online_members, group_id, user_id)
        if not self._by_user:
            self._no_sockets.set()

    async def wait_no_sockets(self) -> None:
        """Return once no socket is registered (at shutdown; and for tests of cleanup)."""
        await self._no_sockets.wait()

    def _add_member(self, group_id: int, user_id: int) -> None:
        self._groups_of.setdefault(user_id, set()).add(group_id)
        self._online_members.setdefault(group_id, set()).add(user_id)

    def is_online(self, user_id: int) -> bool:
        """Whether `user_id` has a socket open on any process (as the bus has told us)."""
        return self._presence.get(user_id, 0) > 0

    def in_group(self, user_id: int, group_id: int) -> bool:
        """Membership of a user online here, as this router tracks it for fan-out."""
        return group_id in self._groups_of.get(user_id, ())

    def online_members(self, group_id: int) -> frozenset[int]:
        return frozenset(self._online_members.get(group_id, ()))

    def connections_of(self, user_id: int) -> frozenset[Connection]:
        return frozenset(self._by_user.get(user_id, ()))

    @property
    def online_users(self) -> int:
        return len(self._by_user)

    @property
    def open_sockets(self) -> int:
        return sum(len(sockets) for sockets in self._by_user.values())

    def close_all(self, code: int) -> None:
        """Close every socket (the process is shutting down; clients reconnect elsewhere)."""
        for sockets in tuple(self._by_user.values()):
            for connection in tuple(sockets):
                connection.close(code)

    # --- events ---

    def submit_nowait(self, event: dict) -> None:
        """Hand an event to the router (from the bus listener). Never blocks."""
        try:
            self._inbox_send.send_nowait(event)
        except trio.WouldBlock:
            log.error("router inbox full; event dropped", extra={"fields": _summary(event)})

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        task_status.started()
        async for event in self._inbox_receive:
            try:
                self.route(event)
            except Exception:
                # One malformed event must not stop delivery for everyone else.
                log.exception("could not route event", extra={"fields": _summary(event)})
        raise AssertionError("the router inbox never closes")

    def route(self, event: dict) -> None:
        started = time.perf_counter()
        op = event.get("op")
        if op == "deliver":
            reached, dropped, recipients = self._deliver(event, event.get("users") or ())
        elif op == "deliver_group":
            members = tuple(self._online_members.get(event.get("group_id"), ()))
            reached, dropped, recipients = self._deliver(event, members)
        elif op == "membership":
            self._membership(event)
            return
        elif op == "presence":
            reached, dropped, recipients = self._presence_changed(event)
            if not recipients:
                return
        elif op == "close_session":
            reached, dropped, recipients = self._close_session(event.get("session_id")), 0, 1
        else:
            log.warning("unknown event %r", op)
            return
        if not (self.log_every_event or reached or dropped):
            return
        fields = _summary(event)
        fields.update(
            recipients=recipients,
            sockets=reached,
            dropped=dropped,
            ms=round((time.perf_counter() - started) * 1000, 3),
        )
        log.info("routed", extra={"fields": fields})

    def _membership(self, event: dict) -> None:
        group_id, user_id = event.get("group_id"), event.get("user_id")
        if user_id not in self._by_user:
            return  # not online here: read afresh when their first socket opens
        if event.get("member"):
            self._add_member(group_id, user_id)
        else:
            _discard(self._online_members, group_id, user_id)
            _discard(self._groups_of, user_id, group_id)

    def _presence_changed(self, event: dict) -> tuple[int, int, int]:
        """Count the user's sockets; tell their contacts here when they come or go."""
        user_id = event.get("user_id")
        before = self._presence.get(user_id, 0)
        after = max(0, before + int(event.get("delta", 0)))
        if after:
            self._presence[user_id] = after
        else:
            self._presence.pop(user_id, None)
        if (before > 0) == (after > 0):
            return 0, 0, 0
        frame = {"type": "presence", "user_id": user_id, "online": after > 0}
        return self._deliver({"frame": frame}, event.get("contacts") or ())

    def _deliver(self, event: dict, users: Iterable[int]) -> tuple[int, int, int]:
        skip = event.get("skip")
        text = None  # serialised once for every socket, and only if one is here
        reached = dropped = recipients = 0
        for user_id in users:
            recipients += 1
            for connection in tuple(self._by_user.get(user_id, ())):
                if connection.id == skip:
                    continue
                if text is None:
                    text = protocol.dump(event["frame"])
                if connection.deliver_nowait(text):
                    reached += 1
                else:
                    dropped += 1
        return reached, dropped, recipients

    def _close_session(self, session_id: object) -> int:
        for callback in self.on_session_ended:
            callback(session_id)  # type: ignore[arg-type]
        connections = tuple(self._by_session.get(session_id, ()))  # type: ignore[arg-type]
        for connection in connections:
            connection.close(protocol.CLOSE_SESSION_ENDED)
        return len(connections)


def _discard(index: dict, key: object, item: object) -> None:
    """Remove `item` from the set at `key`, and the key once its set is empty."""
    members = index.get(key)
    if members is not None:
        members.discard(item)
        if not members:
            del index[key]


def _summary(event: dict) -> dict:
    """The ids worth a log line, without message bodies."""
    frame = event.get("frame") or {}
    fields: dict = {"type": frame.get("type") or event.get("op")}
    if "users" in event:
        fields["users"] = event["users"][:20]
    for key in ("session_id", "group_id"):
        if key in event:
            fields[key] = event[key]
    for key in ("notification", "message"):
        if isinstance(frame.get(key), dict) and "id" in frame[key]:
            fields[f"{key}_id"] = frame[key]["id"]
    return fields
