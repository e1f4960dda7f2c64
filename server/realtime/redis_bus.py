"""The Redis engine of the bus: Redis 7 pub/sub through coredis (which runs on trio natively),
for when Postgres NOTIFY becomes the limit (README.md, "The bus").

`SOCIALNET_BUS=redis://host:port` is one Redis (PUBLISH / SUBSCRIBE);
`redis+cluster://host:port[,host:port...]` is a Redis Cluster reached through any of those
nodes, with sharded pub/sub (SPUBLISH / SSUBSCRIBE): each channel lives on the shard its name
hashes to, so the cluster's shards share the traffic, and a process receives only the channels
its sockets need (server/events.py, `channels`; server/realtime/subscriptions.py).

Events are published after the write's transaction commits (`Database.publish_after_commit`),
so none exists unless its write does. A crash, or Redis being unreachable, between the commit
and the publish costs that event's live delivery, never its data: clients catch up over HTTP
when they reconnect. The events of one write travel as one JSON array per channel, in order.

One subscriber connection per process (per shard in a cluster). When it drops, or the cluster
takes a channel away (its slot moved), what was published meanwhile is lost to this process:
the router closes its sockets (their clients reconnect and catch up) and refuses new ones until
the subscriber has subscribed again, as on the Postgres bus.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import NoReturn
from urllib.parse import urlsplit

import anyio
import coredis
import trio
from coredis.connection import TCPLocation
from coredis.retry import NoRetryPolicy

from server import events
from server.events import Event
from server.realtime.router import Router
from server.realtime.subscriptions import Subscriptions

log = logging.getLogger("socialnet.bus")

RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)
# A publish that takes longer is given up (and logged): the write it follows has committed and
# its caller must not hang on a bus in trouble.
PUBLISH_DEADLINE_SECONDS = 5.0
# Seconds a subscriber connection may stay silent before coredis pings it: a half-open
# connection is found within about this long.
KEEPALIVE_SECONDS = 5.0
# How long coredis waits for the server to confirm a subscription.
CONFIRM_SECONDS = 10.0

SCHEMES = ("redis", "redis+cluster")


def is_redis_url(url: str) -> bool:
    return urlsplit(url).scheme in SCHEMES


def _nodes(url: str) -> list[tuple[str, int]]:
    """host:port pairs of a bus URL (a cluster may name several, comma-separated)."""
    netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
    nodes = []
    for part in netloc.split(","):
        host, _, port = part.rpartition(":")
        nodes.append((host.strip("[]") or "127.0.0.1", int(port or 6379)))
    return nodes


def _dump(event: Event) -> str:
    return json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":"))


def encode(batch: Sequence[Event]) -> dict[str, str]:
    """The payload of each channel that `batch` travels on: its events, in order, as one JSON
    array (Redis carries up to 512 MB in a message: no chunks)."""
    texts: dict[str, list[str]] = defaultdict(list)
    for event in batch:
        text = _dump(event)
        for channel in events.channels(event):
            texts[channel].append(text)
    return {channel: "[" + ",".join(items) + "]" for channel, items in texts.items()}


def decode(payload: str) -> list[Event]:
    """The events of one payload; ValueError for one that is not ours."""
    items = json.loads(payload)
    if not isinstance(items, list):
        raise ValueError("a bus payload is a JSON array")
    return [events.from_json(item) for item in items]


class RedisBus:
    """Both halves of the Redis engine: `publish` (for Database.publish_after_commit) and
    `listen` (the process's subscriber task), sharing one client."""

    def __init__(self, client: coredis.Redis | coredis.RedisCluster, *, sharded: bool):
        self._client = client
        self.sharded = sharded
        self.subscriptions = Subscriptions()

    async def publish(self, batch: list[Event]) -> None:
        """Publish `batch` after its write committed: one command per channel, pipelined.
        Never raises: a publish that fails is logged (its events' live delivery is lost; their
        data is not, and clients catch up over HTTP)."""
        payloads = encode(batch)
        if not payloads:
            return
        command = "spublish" if self.sharded else "publish"
        try:
            with trio.fail_after(PUBLISH_DEADLINE_SECONDS):
                if len(payloads) == 1:
                    [(channel, payload)] = payloads.items()
                    await getattr(self._client, command)(channel, payload)
                else:
                    async with self._client.pipeline(transaction=False) as pipe:
                        for channel, payload in payloads.items():
                            getattr(pipe, command)(channel, payload)
        except (coredis.exceptions.RedisError, OSError, trio.TooSlowError) as error:
            log.error(
                "bus publish failed: %d events not delivered live (%s)",
                len(batch),
                error or type(error).__name__,
            )

    def _open_pubsub(self):
        options = dict(
            ignore_subscribe_messages=False,
            retry_policy=NoRetryPolicy(),
            subscription_timeout=CONFIRM_SECONDS,
            max_idle_seconds=KEEPALIVE_SECONDS,
        )
        if self.sharded:
            return self._client.sharded_pubsub(**options)
        return self._client.pubsub(**options)

    async def listen(self, router: Router, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        """Subscribe to what the router needs and hand it every event with its channel,
        subscribing afresh (with backoff) when the connection is lost. Reports readiness once
        first subscribed."""
        attempt = 0
        ready = False
        while True:
            try:
                async with self._open_pubsub() as pubsub, trio.open_nursery() as nursery:
                    await nursery.start(self.subscriptions.keep, pubsub)
                    router.bus_connected()
                    if not ready:
                        task_status.started()
                        ready = True
                    else:
                        log.info("bus subscribed again")
                    attempt = 0
                    await self._receive(pubsub, router)
            except BaseException as error:
                # Cancelled (shutting down), coredis's cleanup meets closed connections and
                # reports their loss beside the cancellation: the cancellation goes on alone.
                rest = _without_bus_failures(error)
                if rest is error:
                    raise
                if rest is not None:
                    raise rest from None
                await trio.lowlevel.checkpoint_if_cancelled()
                was_ready = router.bus_ready
                self.subscriptions.lost()
                if was_ready:
                    log.warning(
                        "bus connection lost (%s); closing this process's sockets, reconnecting",
                        _describe(error),
                    )
                    router.bus_lost()
                delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
                if not was_ready:
                    log.warning(
                        "bus connection failed (%s); retrying in %ss", _describe(error), delay
                    )
                attempt += 1
                await trio.sleep(delay)

    async def _receive(self, pubsub, router: Router) -> NoReturn:
        while True:
            message = await pubsub.get_message()
            if message is None:
                continue
            kind, channel = message["type"], message["channel"]
            if kind == "message":
                try:
                    decoded = decode(message["data"])
                except ValueError as error:
                    log.error("undecodable bus payload dropped: %s", error)
                    continue
                for event in decoded:
                    router.submit_nowait(event, channel)
            elif kind in ("unsubscribe", "sunsubscribe"):
                if self.subscriptions.unexpected_unsubscription(channel):
                    raise LostChannel(channel)


class LostChannel(Exception):
    """The server dropped a channel we hear (in a cluster: its slot moved to another shard)."""


# What a connection to Redis failing looks like: coredis raises its own ConnectionError, and
# TimeoutError when a subscription is not confirmed in time; a command sent on a connection
# that just closed meets anyio's closed streams.
BUS_FAILURES = (
    coredis.exceptions.RedisError,
    OSError,
    TimeoutError,
    LostChannel,
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
)


def _is_bus_failure(error: BaseException) -> bool:
    return not isinstance(error, BaseExceptionGroup) and isinstance(error, BUS_FAILURES)


def _without_bus_failures(error: BaseException) -> BaseException | None:
    """`error` less the bus failing in it (every leaf of a group that is one): None when
    nothing else is left; otherwise what is (a cancellation; a bug, never retried in
    silence)."""
    if isinstance(error, BaseExceptionGroup):
        return error.split(_is_bus_failure)[1]
    return None if _is_bus_failure(error) else error


def _describe(error: BaseException) -> str:
    """The first real cause in an exception group, for one log line."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}"


@asynccontextmanager
async def open_redis_bus(url: str) -> AsyncIterator[RedisBus]:
    """A client for the bus at `url` (redis:// or redis+cluster://), for the process's life."""
    nodes = _nodes(url)
    sharded = urlsplit(url).scheme == "redis+cluster"
    if sharded:
        client = coredis.RedisCluster(
            startup_nodes=[TCPLocation(host, port) for host, port in nodes],
            decode_responses=True,
        )
    else:
        [(host, port)] = nodes
        client = coredis.Redis(host=host, port=port, decode_responses=True)
    try:
        async with client:
            yield RedisBus(client, sharded=sharded)
    except BaseException as error:
        # Cancelled from outside (the whole server torn down at once): the connections close
        # under coredis's feet and it reports their loss; the cancellation is what goes on.
        rest = _without_bus_failures(error)
        if rest is None:
            await trio.lowlevel.checkpoint_if_cancelled()
            raise
        if rest is not error:
            raise rest from None
        raise
