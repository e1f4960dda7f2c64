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
# Events up to this size share payloads in SQL (`publish_in_sql`): a group of them is under
# twice this, brackets included, so within MAX_PAYLOAD_BYTES.
SHARED_EVENT_BYTES = MAX_PAYLOAD_BYTES // 2 - 2


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


def publish_in_sql(events: str, channel: str) -> str:
    """CTEs that publish, in the very statement that produced them, the events of the CTE
    `events(ord, key, text)` (`text`: an event's JSON, `key`: unique among concurrent
    publishers, for chunks), as the payloads `encode` writes: small events several to an
    array, large ones alone, those over the limit in base64 chunks. The last CTE, `published`,
    must be read by the statement (an unread CTE never runs): `(SELECT count(*) FROM
    published)`. This is how a write and its events cost one round trip together."""
    return f"""
sized AS (
    SELECT ord, key, text, octet_length(text) AS bytes FROM {events}
), packed AS (
    SELECT '[' || string_agg(text, ',' ORDER BY ord) || ']' AS payload
    FROM (
        SELECT ord, text, sum(bytes + 1) OVER (ORDER BY ord) AS running
        FROM sized WHERE bytes <= {SHARED_EVENT_BYTES}
    ) small
    GROUP BY (running - 1) / {SHARED_EVENT_BYTES}
), alone AS (
    SELECT '[' || text || ']' AS payload
    FROM sized WHERE bytes > {SHARED_EVENT_BYTES} AND bytes + 2 <= {MAX_PAYLOAD_BYTES}
), chunked AS (
    SELECT json_build_object(
        'chunk', big.key, 'n', n, 'of', parts,
        'data', substr(big.b64, n * {CHUNK_CHARS} + 1, {CHUNK_CHARS})
    )::text AS payload
    FROM (
        SELECT key, replace(encode(convert_to(text, 'UTF8'), 'base64'), E'\\n', '') AS b64
        FROM sized WHERE bytes + 2 > {MAX_PAYLOAD_BYTES}
    ) big,
    LATERAL (SELECT ceil(length(big.b64) / {CHUNK_CHARS}.0)::int AS parts) counted,
    LATERAL generate_series(0, counted.parts - 1) AS n
), published AS (
    SELECT pg_notify({channel}, payload)
    FROM (
        SELECT payload FROM packed
        UNION ALL SELECT payload FROM alone
        UNION ALL SELECT payload FROM chunked
    ) payloads
)"""
