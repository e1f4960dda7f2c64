"""The bus between writes and routers: Postgres NOTIFY.

A write that must reach users calls `publish` inside its own transaction, so the event exists
only if the write committed, and is delivered only after it is stored. Every process runs one
`listen` task on a connection of its own, feeding its router; one process or ten behind a load
balancer behave the same. Replacing Postgres with NATS or Redis means replacing this module.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from typing import NoReturn

import asyncpg
import trio
import trio_asyncio

from server.realtime.router import Router

log = logging.getLogger("socialnet.bus")

CHANNEL = "socialnet_events"
# Postgres refuses NOTIFY payloads of 8000 bytes or more. Small events travel several to a
# payload (a JSON array): one chat batch of fifty messages is a few notifications, not a
# hundred, for Postgres to queue and for every process's listener to receive. An event too large
# for a payload of its own (a 2,000-character message of emoji is 8 KB) travels in chunks:
# Postgres delivers a transaction's notifications together, in order, after it commits, so the
# listener reassembles them as they come.
MAX_PAYLOAD_BYTES = 7900
CHUNK_CHARS = 7000
RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)


def _dump(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def encode(*events: dict) -> list[str]:
    """The NOTIFY payloads that carry `events`, in order: arrays of whole events, packed up to
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

    for event in events:
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
        json.dumps({"op": "chunk", "key": key, "n": n, "of": len(pieces), "data": piece})
        for n, piece in enumerate(pieces)
    ]


class Reassembler:
    """Turns the payloads of one LISTEN connection back into events."""

    def __init__(self) -> None:
        self._partial: dict[str, dict[int, str]] = {}

    def feed(self, payload: str) -> list[dict]:
        """The events that `payload` completes, in order (none for a chunk of a larger one)."""
        decoded = json.loads(payload)
        if isinstance(decoded, list):
            return decoded
        if decoded.get("op") != "chunk":
            return [decoded]
        pieces = self._partial.setdefault(decoded["key"], {})
        pieces[decoded["n"]] = decoded["data"]
        if len(pieces) < decoded["of"]:
            return []
        del self._partial[decoded["key"]]
        return [json.loads(base64.b64decode("".join(pieces[n] for n in sorted(pieces))))]


async def publish(conn: asyncpg.Connection, *events: dict) -> None:
    """Asyncio side, inside the caller's transaction: one statement for any number of events."""
    if events:
        await conn.execute(
            "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
            CHANNEL,
            encode(*events),
        )


def deliver(users: list[int], frame: dict, *, skip: str | None = None) -> dict:
    """An event that puts `frame` on every socket of `users` (but the socket `skip`)."""
    event = {"op": "deliver", "users": users, "frame": frame}
    if skip is not None:
        event["skip"] = skip
    return event


def membership(group_id: int, user_id: int, *, member: bool) -> dict:
    """A user joined or left a group: routers update their group fan-out."""
    return {"op": "membership", "group_id": group_id, "user_id": user_id, "member": member}


def deliver_group(group_id: int, frame: dict, *, skip: str | None = None) -> dict:
    """Put `frame` on every socket of every member of `group_id` (but the socket `skip`)."""
    event = {"op": "deliver_group", "group_id": group_id, "frame": frame}
    if skip is not None:
        event["skip"] = skip
    return event


def presence(user_id: int, *, delta: int, contacts: list[int]) -> dict:
    """A socket of `user_id` opened (+1) or closed (-1); `contacts` are the people who may see
    it (those they follow or are followed by)."""
    return {"op": "presence", "user_id": user_id, "delta": delta, "contacts": contacts}


def close_session(session_id: int) -> dict:
    return {"op": "close_session", "session_id": session_id}


async def listen(
    database_url: str, router: Router, *, task_status=trio.TASK_STATUS_IGNORED
) -> NoReturn:
    """LISTEN on one dedicated connection and hand every event to the router, reconnecting
    (with backoff) when the connection is lost. Reports readiness once first listening."""
    attempt = 0
    ready = False
    while True:
        lost = trio.Event()
        try:
            conn = await trio_asyncio.aio_as_trio(asyncpg.connect)(database_url)
        except (OSError, asyncpg.PostgresError) as error:
            delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
            log.warning("bus connection failed (%s); retrying in %ss", error, delay)
            attempt += 1
            await trio.sleep(delay)
            continue

        reassembler = Reassembler()

        def on_notify(_conn, _pid, _channel, payload: str, reassembler=reassembler) -> None:
            try:
                events = reassembler.feed(payload)
            except (ValueError, KeyError, TypeError, AttributeError):
                log.error("undecodable bus payload dropped")
                return
            for event in events:
                router.submit_nowait(event)

        conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
        try:
            await trio_asyncio.aio_as_trio(conn.add_listener)(CHANNEL, on_notify)
            if not ready:
                task_status.started()
                ready = True
            else:
                log.info("bus reconnected")
            attempt = 0
            await lost.wait()
            log.warning("bus connection lost; reconnecting")
            attempt = 1
        finally:
            with trio.CancelScope(shield=True):
                if not conn.is_closed():
                    await trio_asyncio.aio_as_trio(conn.close)()
