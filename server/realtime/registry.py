"""The sockets of one process, as the router fans out to them: by user and by session, the
groups of every user online here and each group's online members, and, on a bus of channels,
the channels those need.

Everything here is synchronous, so that a socket's cleanup can never be interrupted. Group
fan-out needs no database: a socket registers before its user's groups are read, and the
membership events heard meanwhile are applied after the read (`groups_loaded`), so no change
between the two is missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import trio

from server import events, metrics
from server.events import group_channel, user_channel
from server.realtime import protocol
from server.realtime.indexes import discard
from server.realtime.subscriptions import Subscriptions


class Connection(Protocol):
    """What the router needs of a SessionActor."""

    id: str
    user_id: int
    session_id: int

    def deliver_nowait(self, data: bytes) -> bool:
        """Queue one encoded frame; False when the mailbox is full (the actor then closes)."""

    def close(self, code: int) -> None: ...


class SocketRegistry:
    def __init__(self) -> None:
        self._by_user: dict[int, set[Connection]] = {}
        self._by_session: dict[int, set[Connection]] = {}
        # Online users only: their groups, and each group's online members.
        self._groups_of: dict[int, set[int]] = {}
        self._online_members: dict[int, set[int]] = {}
        # Users with a socket whose groups are being read: the membership events heard since.
        self._loading: dict[int, list[events.MembershipChanged]] = {}
        self._loads_pending: dict[int, int] = {}
        self._no_sockets = trio.Event()
        self._no_sockets.set()
        # The channels to hear, on a bus of channels (set by the composition root); None on
        # the Postgres bus, where every process hears every event.
        self.subscriptions: Subscriptions | None = None

    def _forget_socket(self, connection: Connection) -> None:
        """A socket left (a subclass forgets what else it kept of it)."""

    def _forget_user(self, user_id: int) -> None:
        """The user's last socket here left."""

    def register(self, connection: Connection) -> None:
        """Add a socket. Its user's groups follow with `groups_loaded`; until then the
        membership events about them are kept."""
        user_id = connection.user_id
        if self._no_sockets.is_set():
            self._no_sockets = trio.Event()
        if user_id not in self._by_user and self.subscriptions is not None:
            self.subscriptions.want(user_channel(user_id))
        self._by_user.setdefault(user_id, set()).add(connection)
        metrics.socket_opened(len(self._by_user[user_id]))
        self._by_session.setdefault(connection.session_id, set()).add(connection)
        self._loads_pending[user_id] = self._loads_pending.get(user_id, 0) + 1
        self._loading.setdefault(user_id, [])

    def groups_loaded(self, connection: Connection, group_ids: Iterable[int]) -> None:
        """The groups of the socket's user, read after it registered: they replace what was
        known, then the membership events heard since the registration apply in order."""
        user_id = connection.user_id
        if connection not in self._by_user.get(user_id, ()):
            return  # closed meanwhile
        for group_id in tuple(self._groups_of.get(user_id, ())):
            self._remove_member(group_id, user_id)
        for group_id in group_ids:
            self._add_member(group_id, user_id)
        for change in self._loading.get(user_id, ()):
            self._apply_membership(change)
        self._load_done(user_id)

    def _load_done(self, user_id: int) -> None:
        left = self._loads_pending.get(user_id, 0) - 1
        if left > 0:
            self._loads_pending[user_id] = left
        else:
            self._loads_pending.pop(user_id, None)
            self._loading.pop(user_id, None)

    def unregister(self, connection: Connection) -> None:
        """Forget a socket (idempotent: a socket closed by the router is unregistered at once,
        and again by its own cleanup)."""
        user_id = connection.user_id
        sockets = self._by_user.get(user_id)
        if sockets is None or connection not in sockets:
            return
        discard(self._by_user, user_id, connection)
        discard(self._by_session, connection.session_id, connection)
        self._forget_socket(connection)
        if user_id not in self._by_user:  # the user's last socket here closed
            for group_id in tuple(self._groups_of.get(user_id, ())):
                self._remove_member(group_id, user_id)
            if self.subscriptions is not None:
                self.subscriptions.unwant(user_channel(user_id))
            self._loading.pop(user_id, None)
            self._loads_pending.pop(user_id, None)
            self._forget_user(user_id)
        if not self._by_user:
            self._no_sockets.set()

    async def wait_no_sockets(self) -> None:
        """Return once no socket is registered (at shutdown; and for tests of cleanup)."""
        await self._no_sockets.wait()

    def _add_member(self, group_id: int, user_id: int) -> None:
        self._groups_of.setdefault(user_id, set()).add(group_id)
        if group_id not in self._online_members and self.subscriptions is not None:
            self.subscriptions.want(group_channel(group_id))
        self._online_members.setdefault(group_id, set()).add(user_id)

    def is_registered(self, connection: Connection) -> bool:
        return connection in self._by_user.get(connection.user_id, ())

    def _remove_member(self, group_id: int, user_id: int) -> None:
        discard(self._groups_of, user_id, group_id)
        discard(self._online_members, group_id, user_id)
        if group_id not in self._online_members and self.subscriptions is not None:
            self.subscriptions.unwant(group_channel(group_id))

    async def wait_subscribed(self, user_id: int) -> None:
        """Return once the bus delivers every channel that the sockets of `user_id` here need
        (their user's, their groups'): at once on the Postgres bus. Unavailable (503) when the
        bus is lost or cannot subscribe meanwhile."""
        if self.subscriptions is None:
            return
        needed = [user_channel(user_id)]
        needed.extend(group_channel(group_id) for group_id in self._groups_of.get(user_id, ()))
        await self.subscriptions.wait_held(needed)

    def users_here(self) -> list[int]:
        """The user of every socket here, once per socket: this process's presence snapshot."""
        return [user_id for user_id, sockets in self._by_user.items() for _ in sockets]

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
        """Close every socket here (shutting down; or events may have been missed: the clients
        reconnect and catch up)."""
        for sockets in tuple(self._by_user.values()):
            for connection in tuple(sockets):
                connection.close(code)
                self.unregister(connection)

    def membership_changed(self, event: events.MembershipChanged, heard_on: str | None) -> None:
        if event.user_id not in self._by_user:
            return  # not online here: read afresh when their first socket opens
        if heard_on == user_channel(event.user_id) and self.subscriptions is not None:
            if self.subscriptions.held(group_channel(event.group_id)):
                return  # the group's channel carries it, in order with the group's events
            if event.member and event.user_id not in self._loading:
                # The group's events published before this process hears its channel would
                # be missed in silence: the user's sockets here reconnect and catch up.
                for connection in tuple(self._by_user[event.user_id]):
                    connection.close(protocol.CLOSE_SERVICE_RESTART)
                    self.unregister(connection)
                return
        if event.user_id in self._loading:
            self._loading[event.user_id].append(event)
        self._apply_membership(event)

    def _apply_membership(self, event: events.MembershipChanged) -> None:
        if event.member:
            self._add_member(event.group_id, event.user_id)
        else:
            self._remove_member(event.group_id, event.user_id)
