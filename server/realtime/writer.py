"""The chat writer: stores the messages sent over WebSockets in batches.

A crossing into asyncio and a transaction cost more than the insert they carry, so every
message that arrives while a batch is being written waits for the next batch, and a batch is one
crossing, one transaction, one INSERT for all its messages, and one NOTIFY statement. Under light
load a batch is a single message and nothing waits; under heavy load the cost per message falls
as the batches grow. The rule (who may message whom, who is a member) is the same SQL as the
single send's (server/domain/visibility.py), checked row by row inside the INSERT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NoReturn

import asyncpg
import trio

from server.db.database import Database
from server.db.messages import MESSAGE_COLUMNS
from server.domain import chat, visibility
from server.errors import ApiError
from server.realtime import bus

log = logging.getLogger("socialnet.writer")

# Messages stored per transaction at most. Large enough that a burst is absorbed in a few
# batches, small enough that one batch's NOTIFY statement and reply stay small.
MAX_BATCH = 256
# Sends queued for the writer at most; beyond that a sender waits (backpressure on its socket).
QUEUE_SIZE = 10_000


@dataclass
class PendingSend:
    sender_id: int
    kind: str  # "direct" | "group"
    target_id: int
    body: str
    client_msg_id: str | None
    skip: str | None
    done: trio.Event = field(default_factory=trio.Event)
    result: tuple[asyncpg.Record, bool] | None = None
    error: ApiError | None = None


BATCH_INSERT = f"""
WITH input AS (
    SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, t.*
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])
         WITH ORDINALITY AS t(sender, recipient, grp, body, cmid, ord)
), inserted AS (
    INSERT INTO messages (id, sender_id, recipient_id, group_id, body, client_msg_id)
    SELECT i.id, i.sender, i.recipient, i.grp, i.body, i.cmid FROM input i
    WHERE CASE WHEN i.grp IS NULL
               THEN {visibility.can_message("i.sender", "i.recipient")}
               ELSE {visibility.is_member("i.grp", "i.sender")} END
    ON CONFLICT (sender_id, client_msg_id) DO NOTHING
    RETURNING *
)
SELECT i.ord, {MESSAGE_COLUMNS}
FROM inserted m JOIN input i ON i.id = m.id JOIN users s ON s.id = m.sender_id
"""


async def _write_batch(conn: asyncpg.Connection, batch: list[PendingSend]) -> None:
    """Asyncio side, in one transaction: store what the rules allow, settle the rest one by one
    (repeats, refusals: rare), publish every stored message's frames in one statement."""
    rows = await conn.fetch(
        BATCH_INSERT,
        [send.sender_id for send in batch],
        [send.target_id if send.kind == "direct" else None for send in batch],
        [send.target_id if send.kind == "group" else None for send in batch],
        [send.body for send in batch],
        [send.client_msg_id for send in batch],
    )
    stored = {row["ord"]: row for row in rows}
    events = []
    for ordinal, send in enumerate(batch, start=1):
        row = stored.get(ordinal)
        if row is None:
            try:
                send.result = await chat.settle_unstored(
                    conn, send.kind, send.sender_id, send.target_id, send.client_msg_id
                )
            except ApiError as error:
                send.error = error
            continue
        send.result = (row, True)
        events += chat.message_events(row, skip=send.skip)
    await bus.publish(conn, *events)


class MessageWriter:
    def __init__(self, db: Database):
        self._db = db
        self._send, self._receive = trio.open_memory_channel[PendingSend](QUEUE_SIZE)

    async def send(
        self,
        sender_id: int,
        kind: str,
        target_id: int,
        body: str,
        client_msg_id: str | None,
        *,
        skip: str | None = None,
    ) -> tuple[asyncpg.Record, bool]:
        """Store and publish one message (in the next batch); (message, created)."""
        pending = PendingSend(sender_id, kind, target_id, body, client_msg_id, skip)
        await self._send.send(pending)
        await pending.done.wait()
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        task_status.started()
        while True:
            batch = [await self._receive.receive()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._receive.receive_nowait())
                except trio.WouldBlock:
                    break
            try:
                await self._db.transaction(_write_batch, batch)
            except Exception:
                log.exception("a batch of %d messages failed; none was stored", len(batch))
                for send in batch:
                    send.result, send.error = None, _StoreFailed()
            for send in batch:
                if send.result is None and send.error is None:
                    send.error = _StoreFailed()
                send.done.set()


class _StoreFailed(ApiError):
    status = 503
    code = "unavailable"
    message = "The message could not be stored; send it again."
