"""The bus's ceiling on this machine: events per second that N concurrent writers get through
each engine, every event a committed write and its publication, counted as received by one
subscriber (docs/benchmarks.md, "The bus").

    .venv/bin/python docs/bus_throughput.py [--seconds 5] [--writers 1,2,4,8]

- NOTIFY: each write is `BEGIN; INSERT; SELECT pg_notify(...); COMMIT`, the Postgres engine's
  path: the commit takes Postgres's instance-wide notify lock.
- Redis: each write is `BEGIN; INSERT; COMMIT` and then a PUBLISH, the Redis engine's path
  (published after the commit).

An embedded Postgres (pgserver) and a Redis (Debian's redis-server) are started in a temporary
directory, on this machine, and stopped at the end. Every writer has its own connections; the
payload is a chat message event of about 400 bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import coredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.db.embedded import start_embedded_postgres  # noqa: E402
from tests.redis import run_redis  # noqa: E402

PAYLOAD = json.dumps(
    {
        "op": "message", "id": 123456, "sender_id": 1234, "recipient_id": 5678,
        "group_id": None, "body": "x" * 200, "client_msg_id": "0f8fad5b-d9cb-469f-a165",
        "created_at": "2026-12-01T00:00:00.000Z", "sender_first_name": "Sam",
        "sender_last_name": "Ng", "sender_nickname": None, "sender_avatar_id": None,
        "skip": None,
    }
)  # fmt: skip
CHANNEL = "bench"
# How long the subscriber may take to receive what was sent, after the writers stop.
DRAIN_SECONDS = 10


class Tally:
    """Events sent and received; `wait_drained` returns once every sent one was received."""

    def __init__(self) -> None:
        self.sent = 0
        self.received = 0
        self._sending = True
        self._drained = asyncio.Event()

    def got_one(self) -> None:
        self.received += 1
        self._check()

    async def wait_drained(self) -> None:
        self._sending = False
        self._check()
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                await self._drained.wait()
        except TimeoutError:
            pass  # counted as received: what arrived

    def _check(self) -> None:
        if not self._sending and self.received >= self.sent:
            self._drained.set()


async def notify_writer(url: str, stop: float, counts: Tally) -> None:
    conn = await asyncpg.connect(url)
    try:
        while time.monotonic() < stop:
            async with conn.transaction():
                await conn.execute("INSERT INTO bench (v) VALUES ($1)", PAYLOAD)
                await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, PAYLOAD)
            counts.sent += 1
    finally:
        await conn.close()


async def redis_writer(url: str, redis: coredis.Redis, stop: float, counts: Tally) -> None:
    conn = await asyncpg.connect(url)
    try:
        while time.monotonic() < stop:
            async with conn.transaction():
                await conn.execute("INSERT INTO bench (v) VALUES ($1)", PAYLOAD)
            await redis.publish(CHANNEL, PAYLOAD)
            counts.sent += 1
    finally:
        await conn.close()


async def run_notify(url: str, writers: int, seconds: float) -> tuple[float, float]:
    listener = await asyncpg.connect(url)
    tally = Tally()
    await listener.add_listener(CHANNEL, lambda *_: tally.got_one())
    start = time.monotonic()
    await asyncio.gather(*(notify_writer(url, start + seconds, tally) for _ in range(writers)))
    elapsed = time.monotonic() - start
    await tally.wait_drained()
    await listener.close()
    return tally.sent / elapsed, tally.received / elapsed


async def run_redis_bus(url: str, redis_port: int, writers: int, seconds: float):
    client = coredis.Redis(host="127.0.0.1", port=redis_port, decode_responses=True)
    async with client, client.pubsub(ignore_subscribe_messages=True) as pubsub:
        await pubsub.subscribe(CHANNEL)
        tally = Tally()

        async def count() -> None:
            while True:
                if await pubsub.get_message() is not None:
                    tally.got_one()

        counter = asyncio.ensure_future(count())
        start = time.monotonic()
        await asyncio.gather(
            *(redis_writer(url, client, start + seconds, tally) for _ in range(writers))
        )
        elapsed = time.monotonic() - start
        await tally.wait_drained()
        counter.cancel()
        return tally.sent / elapsed, tally.received / elapsed


async def main(seconds: float, writer_counts: list[int]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        postgres = start_embedded_postgres(Path(scratch) / "postgres")
        url = postgres.get_uri()
        try:
            conn = await asyncpg.connect(url)
            await conn.execute("CREATE TABLE IF NOT EXISTS bench (id bigserial, v text)")
            await conn.close()
            with run_redis(Path(scratch) / "redis") as redis:
                print("| writers | NOTIFY events/s | Redis events/s |")
                print("| ---: | ---: | ---: |")
                for writers in writer_counts:
                    _, notify_rate = await run_notify(url, writers, seconds)
                    _, redis_rate = await run_redis_bus(url, redis.port, writers, seconds)
                    print(f"| {writers} | {notify_rate:,.0f} | {redis_rate:,.0f} |", flush=True)
        finally:
            postgres.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--writers", default="1,2,4,8")
    options = parser.parse_args()
    counts = [int(n) for n in options.writers.split(",")]
    asyncio.run(main(options.seconds, counts))
