"""The chat writer: the one write path of chat messages, for the WebSocket and HTTP alike.

A crossing into asyncio and a round trip to Postgres cost more than the insert they carry, so
every message that arrives while a batch is being written waits for the next batch, and a batch
is one crossing and one statement: it stores every message the rules allow and publishes their
events on the Postgres bus (server/db/messages.py, INSERT_BATCH_AND_PUBLISH), atomically, since
a statement is its own transaction. Under light load a batch is a single message and nothing
waits; under heavy load the cost per message falls as the batches grow. The rule (who may
message whom, who is a member) is checked row by row inside the INSERT, with the same SQL as
every other read. (With a bus that publishes after the commit, the events are emitted as usual.)

One sender's message must never cost another's: when a batch fails as a whole (a row Postgres
refuses, a lost connection), each of its messages is tried again alone, so only what cannot be
stored is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NoReturn

import asyncpg
import trio

from server import metrics
from server.db.database import Database
from server.db.messages import NewMessage, insert_batch, insert_batch_and_publish
from server.domain import chat
from server.errors import ApiError, Unavailable

log = logging.getLogger("socialnet.writer")

# Messages stored per transaction at most. Large enough that a burst is absorbed in a few
# batches, small enough that one batch's NOTIFY statement and reply stay small.
MAX_BATCH = 256
# Sends queued for the writer at most; beyond that a sender waits (backpressure on its socket).
QUEUE_SIZE = 10_000


class StoreFailed(Unavailable):
    message = "The message could not be stored; send it again."


@dataclass
class PendingSend:
    message: NewMessage
    done: trio.Event = field(default_factory=trio.Event)
    result: tuple[asyncpg.Record, bool] | None = None
    error: ApiError | None = None


async def _write_batch(
    conn: asyncpg.Connection, batch: list[PendingSend], publish_in_statement: bool
) -> None:
    """Asyncio side: store (and publish) what the rules allow, settle the rest one by one
    (repeats, refusals: rare, and only reads)."""
    messages = [send.message for send in batch]
    if publish_in_statement:
        stored = await insert_batch_and_publish(conn, messages)
    else:
        stored = await insert_batch(conn, messages)
    for index, send in enumerate(batch):
        row = stored.get(index)
        if row is None:
            try:
                send.result = await chat.settle_unstored(conn, send.message)
            except ApiError as error:
                send.error = error
            continue
        send.result = (row, True)
        if not publish_in_statement:
            chat.announce(conn, row, skip=send.message.skip)


class MessageWriter:
    def __init__(self, db: Database, *, window: float = 0.0):
        """`window`: after a batch's first message, how long to wait for more before writing
        (config.writer_window, measured in docs/benchmarks.md)."""
        self._db = db
        self._window = window
        # Statements written so far (for tests and metrics).
        self.batches_written = 0
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
        """Store and publish one message (in the next batch); (message row, created). `body`
        and `client_msg_id` have passed chat.parse_body and chat.parse_client_msg_id."""
        direct = kind == "direct"
        message = NewMessage(
            sender_id=sender_id,
            recipient_id=target_id if direct else None,
            group_id=None if direct else target_id,
            body=body,
            client_msg_id=client_msg_id,
            skip=skip,
        )
        pending = PendingSend(message)
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
            # What arrives within the window joins the batch (what is already queued always
            # does): a few messages more per statement, for a little latency.
            with trio.move_on_after(self._window):
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._receive.receive_nowait())
                    except trio.WouldBlock:
                        if self._window <= 0:
                            break
                        batch.append(await self._receive.receive())
            self.batches_written += 1
            await self._store(batch)
            metrics.chat_batch(len(batch), sum(1 for send in batch if send.error is None))

    async def _store(self, batch: list[PendingSend]) -> None:
        try:
            if self._db.publishes_in_transaction:
                await self._db.run_shielded(_write_batch, batch, True)
            else:
                await self._db.transaction(_write_batch, batch, False)
        except Unavailable:
            # The database is away: no message of this batch can be stored now. Each sender is
            # told (503), and sends again once it is back.
            for send in batch:
                send.result, send.error = None, StoreFailed()
        except Exception:
            if len(batch) == 1:
                log.exception("a message could not be stored")
                batch[0].result, batch[0].error = None, StoreFailed()
            else:
                log.warning("a batch of %d messages failed; storing each alone", len(batch))
                for send in batch:
                    send.result = send.error = None
                    await self._store([send])
                return
        for send in batch:
            if send.result is None and send.error is None:
                send.error = StoreFailed()
            send.done.set()
