"""The bus between writes and routers: Postgres NOTIFY.

A write that must reach users calls `publish` inside its own transaction, so the event exists
only if the write committed, and is delivered only after it is stored. Every process runs one
`listen` task on a connection of its own, feeding its router; one process or ten behind a load
balancer behave the same. Replacing Postgres with NATS or Redis means replacing this module.
"""

from __future__ import annotations

import json
import logging
from typing import NoReturn

import asyncpg
import trio
import trio_asyncio

from server.realtime.router import Router

log = logging.getLogger("socialnet.bus")

CHANNEL = "socialnet_events"
# Postgres refuses NOTIFY payloads of 8000 bytes or more.
MAX_PAYLOAD_BYTES = 7900
RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)


def encode(event: dict) -> str:
    payload = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"bus event too large ({len(payload)} chars): {event.get('op')}")
    return payload


async def publish(conn: asyncpg.Connection, *events: dict) -> None:
    """Asyncio side, inside the caller's transaction: one statement for any number of events."""
    if events:
        await conn.execute(
            "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
            CHANNEL,
            [encode(event) for event in events],
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

        def on_notify(_conn, _pid, _channel, payload: str) -> None:
            try:
                event = json.loads(payload)
            except ValueError:
                log.error("undecodable bus payload dropped")
                return
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
