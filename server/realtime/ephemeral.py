"""Events that no write carries (typing, a socket closing) leave without a round trip of their
caller's: they are queued here, and one task publishes whatever is queued in one statement.

They are ephemeral: a typing indicator lost when the database is away costs nothing, and a
presence count it leaves wrong is set right by the next snapshot (server/realtime/presence.py).
"""

from __future__ import annotations

import logging
from typing import NoReturn

import trio

from server.db.database import Database
from server.errors import Unavailable
from server.events import Event

log = logging.getLogger("socialnet.realtime")

# Events waiting at most; beyond that (the database away for long) new ones are dropped.
QUEUE_SIZE = 10_000
# Events per statement at most.
BATCH = 500


class EphemeralPublisher:
    def __init__(self, db: Database):
        self._db = db
        self._send, self._receive = trio.open_memory_channel[Event](QUEUE_SIZE)
        self._dropping = False

    def publish_nowait(self, event: Event) -> None:
        """Queue an event; never waits."""
        try:
            self._send.send_nowait(event)
            self._dropping = False
        except trio.WouldBlock:
            if not self._dropping:  # say it once per burst
                log.warning("ephemeral events dropped: the publisher is behind")
            self._dropping = True

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        task_status.started()
        while True:
            batch = [await self._receive.receive()]
            while len(batch) < BATCH:
                try:
                    batch.append(self._receive.receive_nowait())
                except trio.WouldBlock:
                    break
            try:
                await self._db.publish(*batch)
            except Unavailable:
                log.warning("%d ephemeral events lost: the database is away", len(batch))
