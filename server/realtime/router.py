"""The router: owns the registry of open sockets and fans events out to their mailboxes.

It never waits on a socket: every put is `send_nowait`, and a full mailbox closes that one
socket (its owner reconnects and catches up over HTTP) instead of slowing everyone else.
Events arrive from the bus (every process's LISTEN task) as already-decoded dicts:

    {"op": "deliver", "users": [ids], "frame": {...}, "skip": "<connection id>"?}
    {"op": "close_session", "session_id": id}

One log line per routed event says what it was, whom it was for, what it reached, how long it took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
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
    def __init__(self) -> None:
        self._by_user: dict[int, set[Connection]] = {}
        self._by_session: dict[int, set[Connection]] = {}
        send, receive = trio.open_memory_channel[dict](INBOX_SIZE)
        self._inbox_send = send
        self._inbox_receive = receive

    # --- the registry (called by actors; synchronous so cleanup can never be interrupted) ---

    def register(self, connection: Connection) -> None:
        self._by_user.setdefault(connection.user_id, set()).add(connection)
        self._by_session.setdefault(connection.session_id, set()).add(connection)

    def unregister(self, connection: Connection) -> None:
        _discard(self._by_user, connection.user_id, connection)
        _discard(self._by_session, connection.session_id, connection)

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
            self.route(event)
        raise AssertionError("the router inbox never closes")

    def route(self, event: dict) -> None:
        started = time.perf_counter()
        op = event.get("op")
        if op == "deliver":
            reached, dropped, recipients = self._deliver(event)
        elif op == "close_session":
            reached, dropped, recipients = self._close_session(event.get("session_id")), 0, 1
        else:
            log.warning("unknown event %r", op)
            return
        fields = _summary(event)
        fields.update(
            recipients=recipients,
            sockets=reached,
            dropped=dropped,
            ms=round((time.perf_counter() - started) * 1000, 3),
        )
        log.info("routed", extra={"fields": fields})

    def _deliver(self, event: dict) -> tuple[int, int, int]:
        users: Iterable[int] = event.get("users") or ()
        skip = event.get("skip")
        text = protocol.dump(event["frame"])  # serialised once for every socket
        reached = dropped = recipients = 0
        for user_id in users:
            recipients += 1
            for connection in tuple(self._by_user.get(user_id, ())):
                if connection.id == skip:
                    continue
                if connection.deliver_nowait(text):
                    reached += 1
                else:
                    dropped += 1
        return reached, dropped, recipients

    def _close_session(self, session_id: object) -> int:
        connections = tuple(self._by_session.get(session_id, ()))  # type: ignore[arg-type]
        for connection in connections:
            connection.close(protocol.CLOSE_SESSION_ENDED)
        return len(connections)


def _discard(index: dict[int, set[Connection]], key: int, connection: Connection) -> None:
    sockets = index.get(key)
    if sockets is not None:
        sockets.discard(connection)
        if not sockets:
            del index[key]


def _summary(event: dict) -> dict:
    """The ids worth a log line, without message bodies."""
    frame = event.get("frame") or {}
    fields: dict = {"event": frame.get("type") or event.get("op")}
    if "users" in event:
        fields["users"] = event["users"][:20]
    for key in ("session_id", "group_id"):
        if key in event:
            fields[key] = event[key]
    for key in ("notification", "message"):
        if isinstance(frame.get(key), dict) and "id" in frame[key]:
            fields[f"{key}_id"] = frame[key]["id"]
    return fields
