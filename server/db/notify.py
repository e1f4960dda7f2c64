"""The Postgres NOTIFY engine of the bus: what a write's transaction sends, and how a listener
reads it back.

An event is published inside the transaction of the write that causes it, so it exists only if
the write committed, and every process's LISTEN connection hears it after the commit. Postgres
refuses NOTIFY payloads of 8000 bytes or more. Small events travel several to a payload (a JSON
array): one chat batch of fifty messages is a few notifications, not fifty, for Postgres to
queue and for every listener to receive. An event too large for a payload of its own (a
2,000-character message of emoji is 8 KB) travels in chunks: Postgres delivers a transaction's
notifications together, in order, after it commits, so the listener reassembles them as they
come.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence

import asyncpg

from server import events
from server.events import Event

CHANNEL = "socialnet_events"
MAX_PAYLOAD_BYTES = 7900
CHUNK_CHARS = 7000


def _dump(event: Event) -> str:
    return json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":"))


def encode(batch: Sequence[Event]) -> list[str]:
    """The NOTIFY payloads that carry `batch`, in order: arrays of whole events, packed up to
    the size limit, and the chunks of any event too large for one."""
    payloads: list[str] = []
    packed: list[str] = []
    packed_bytes = 2  # the array's brackets

    def close_array() -> None:
        nonlocal packed_bytes
        if packed:
            payloads.append("[" + ",".join(packed) + "]")
            packed.clear()
            packed_bytes = 2

    for event in batch:
        text = _dump(event)
        size = len(text.encode()) + 1  # and its comma
        if size + 2 > MAX_PAYLOAD_BYTES:
            close_array()
            payloads.extend(_chunks(text))
            continue
        if packed_bytes + size > MAX_PAYLOAD_BYTES:
            close_array()
        packed.append(text)
        packed_bytes += size
    close_array()
    return payloads


def _chunks(text: str) -> list[str]:
    packed = base64.b64encode(text.encode()).decode()
    key = secrets.token_hex(8)
    pieces = [packed[i : i + CHUNK_CHARS] for i in range(0, len(packed), CHUNK_CHARS)]
    return [
        json.dumps({"chunk": key, "n": n, "of": len(pieces), "data": piece})
        for n, piece in enumerate(pieces)
    ]


class Reassembler:
    """Turns the payloads of one LISTEN connection back into events."""

    def __init__(self) -> None:
        self._partial: dict[str, dict[int, str]] = {}

    def feed(self, payload: str) -> list[Event]:
        """The events that `payload` completes, in order (none for a chunk of a larger one).
        ValueError for a payload that is not ours."""
        try:
            decoded = json.loads(payload)
            if isinstance(decoded, list):
                return [events.from_json(item) for item in decoded]
            if "chunk" not in decoded:
                return [events.from_json(decoded)]
            pieces = self._partial.setdefault(decoded["chunk"], {})
            pieces[decoded["n"]] = decoded["data"]
            if len(pieces) < decoded["of"]:
                return []
            del self._partial[decoded["chunk"]]
            whole = base64.b64decode("".join(pieces[n] for n in sorted(pieces)))
            return [events.from_json(json.loads(whole))]
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a bus payload: {error}") from None


PUBLISH = "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload"


async def publish(conn: asyncpg.Connection, batch: Sequence[Event]) -> None:
    """Asyncio side, inside the caller's transaction (or at once, outside one): one statement
    for any number of events."""
    if batch:
        await conn.execute(PUBLISH, CHANNEL, encode(batch))
