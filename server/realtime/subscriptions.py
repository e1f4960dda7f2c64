"""The channels one process hears on a bus of channels (Redis), and those the bus confirmed.

The router says what its sockets need (`want` / `unwant`, synchronous, so registering a socket
never waits here); one task per bus connection (`keep`) brings the connection's subscriptions
to that, in order, in batches; a socket is accepted only once the channels it needs are
confirmed (`wait_held`). A channel being unsubscribed is no longer held from the moment the
command leaves: a socket that wants it again meanwhile waits for the new subscription rather
than trust the one that is going.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn, Protocol

import trio

from server.errors import Unavailable
from server.events import BROADCAST

# How long a socket waits for its channels before its upgrade answers 503 (a bus that takes
# this long to confirm a subscription is in trouble; the client retries).
SUBSCRIBE_DEADLINE_SECONDS = 10.0


class PubSub(Protocol):
    async def subscribe(self, *channels: str) -> None: ...

    async def unsubscribe(self, *channels: str) -> None: ...


class Subscriptions:
    def __init__(self) -> None:
        # What the router needs, and what the bus connection confirmed.
        self._wanted: set[str] = {BROADCAST}
        self._held: set[str] = set()
        # Changed since the keeper last looked.
        self._dirty: set[str] = set()
        self._wake = trio.Event()
        # Set whenever `_held` changes or the connection is lost (a condition for waiters).
        self._changed = trio.Event()
        self._connected = False
        # Unsubscribed by us and not yet confirmed: any other unsubscription is the server's.
        self._leaving: set[str] = set()

    # --- the router's side ---

    def want(self, channel: str) -> None:
        self._wanted.add(channel)
        self._mark(channel)

    def unwant(self, channel: str) -> None:
        if channel != BROADCAST:
            self._wanted.discard(channel)
            self._mark(channel)

    def held(self, channel: str) -> bool:
        """Whether events of `channel` reach this process now."""
        return channel in self._held

    @property
    def wanted(self) -> frozenset[str]:
        return frozenset(self._wanted)

    async def wait_held(
        self, channels: Iterable[str], *, deadline: float = SUBSCRIBE_DEADLINE_SECONDS
    ) -> None:
        """Return once every one of `channels` is subscribed; Unavailable when the bus is lost
        meanwhile or the subscriptions take longer than `deadline`."""
        needed = tuple(channels)
        with trio.move_on_after(deadline):
            while True:
                if not self._connected:
                    raise Unavailable()
                if all(channel in self._held for channel in needed):
                    return
                await self._changed.wait()
        raise Unavailable()

    # --- the bus connection's side ---

    def unexpected_unsubscription(self, channel: str) -> bool:
        """An unsubscription confirmed by the server: False when it is one we asked for; True
        when the server dropped the channel by itself (its slot moved to another shard), and
        events may have been missed."""
        if channel in self._leaving:
            self._leaving.discard(channel)
            return False
        return channel in self._wanted or channel in self._held

    async def keep(self, pubsub: PubSub, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        """On a fresh connection: subscribe to everything wanted, report readiness, then follow
        every change. Runs as long as the connection."""
        self._held.clear()
        self._leaving.clear()
        self._dirty = set(self._wanted)
        self._wake.set()
        ready = False
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            dirty, self._dirty = self._dirty, set()
            leave = [c for c in dirty if c not in self._wanted and c in self._held]
            join = [c for c in dirty if c in self._wanted and c not in self._held]
            if leave:
                self._held.difference_update(leave)
                self._leaving.update(leave)
                await pubsub.unsubscribe(*leave)
            if join:
                await pubsub.subscribe(*join)
                # Held even if unwanted meanwhile: it is subscribed; the next pass leaves it.
                self._held.update(join)
            if not ready:
                self._connected = True
                task_status.started()
                ready = True
            self._notify()

    def lost(self) -> None:
        """The connection dropped: nothing is held; waiting sockets are refused."""
        self._connected = False
        self._held.clear()
        self._leaving.clear()
        self._notify()

    def _mark(self, channel: str) -> None:
        self._dirty.add(channel)
        self._wake.set()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = trio.Event()
