"""Metrics in Prometheus's text format (the `prometheus_client` library), one endpoint for the
whole server: `SOCIALNET_METRICS_ADDR=host:port`, off when unset, never on the public port.

Several worker processes, one endpoint: prometheus_client's multiprocess mode. The process that
serves the endpoint (the supervisor of `--workers N`, or the one server process) makes a fresh
directory and names it in PROMETHEUS_MULTIPROC_DIR before any worker starts; each process writes
its values to memory-mapped files there, and a scrape adds them up (MultiProcessCollector).
The directory goes when the server stops; a worker that dies leaves its counters counted and
its gauges dropped (`mark_process_dead`).

The hot paths stay lean. Per frame there is only a plain integer addition (`COUNTS`): no lock,
no system call. A pump task (`pump`, one per process) carries those integers into the
Prometheus counters and reads the gauges (open sockets, busy lanes) once a second. What happens
per request, per event, per database call or per batch is recorded directly (a Prometheus
histogram or counter: an uncontended lock and a write to shared memory, no system call).

Every function here is a no-op until `enable()` ran (SOCIALNET_METRICS_ADDR set), so tests and
servers without metrics import nothing of prometheus_client.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

# The environment variable prometheus_client reads, at import, to choose its multiprocess mode.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds between two pumps of the per-frame counters and the gauges.
PUMP_SECONDS = 1.0

# Buckets: seconds for latencies (1 ms to 10 s), counts for sizes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
FAST_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200)
SOCKETS_BUCKETS = (1, 2, 3, 5, 10, 20)


class Counts:
    """Per-frame counts of this process, plain integers (the pump carries them over)."""

    __slots__ = ("frames_in", "frames_out", "mailbox_overflows", "routed")

    def __init__(self) -> None:
        self.frames_in = 0
        self.frames_out = 0
        self.mailbox_overflows = 0
        # Routed events by frame type (or event name when it makes no frame).
        self.routed: Counter[str] = Counter()


COUNTS = Counts()

_m: Any = None  # the metric objects, once enabled


def enabled() -> bool:
    return _m is not None


def enable() -> None:
    """Create the metrics (idempotent). Call once PROMETHEUS_MULTIPROC_DIR is set, before any
    value is recorded: prometheus_client picks its storage when first imported."""
    global _m
    if _m is not None:
        return
    if not os.environ.get(MULTIPROC_ENV):
        raise RuntimeError(f"{MULTIPROC_ENV} must be set before metrics are enabled")
    from prometheus_client import Counter as PCounter
    from prometheus_client import Gauge, Histogram

    class Metrics:
        sockets_open = Gauge(
            "socialnet_sockets_open", "WebSockets open now", multiprocess_mode="livesum"
        )
        users_online = Gauge(
            "socialnet_users_online",
            "Users with a WebSocket open now (summed over processes: a user on two counts twice)",
            multiprocess_mode="livesum",
        )
        user_sockets = Histogram(
            "socialnet_user_sockets_at_open",
            "Sockets the user holds in this process once a new one opened",
            buckets=SOCKETS_BUCKETS,
        )
        frames_in = PCounter("socialnet_frames_in", "WebSocket frames received from clients")
        frames_out = PCounter("socialnet_frames_out", "WebSocket frames queued to clients")
        mailbox_overflows = PCounter(
            "socialnet_mailbox_overflows",
            "Sockets closed because their mailbox was full (a slow client)",
        )
        routed = PCounter("socialnet_routed_events", "Events the router handled, by type", ["type"])
        chat_stored = PCounter("socialnet_chat_messages_stored", "Chat messages stored")
        writer_batch = Histogram(
            "socialnet_chat_writer_batch_size",
            "Messages stored per batch of the chat writer",
            buckets=BATCH_BUCKETS,
        )
        bus_lag = Histogram(
            "socialnet_bus_lag_seconds",
            "From a chat message's storing transaction (its created_at) to its routing here",
            buckets=LATENCY_BUCKETS,
        )
        http = Histogram(
            "socialnet_http_request_seconds",
            "HTTP requests and WebSocket upgrades, by route (the URL rule), method and status",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
        )
        lanes_busy = Gauge(
            "socialnet_db_lanes_busy",
            "Database lanes running a call now",
            multiprocess_mode="livesum",
        )
        lanes_total = Gauge(
            "socialnet_db_lanes", "Database lanes (connections)", multiprocess_mode="livesum"
        )
        lane_waits = PCounter(
            "socialnet_db_lane_waits", "Database calls that waited for a free lane"
        )
        db_call = Histogram(
            "socialnet_db_call_seconds",
            "A database call from trio: waiting for a lane, crossing, running, crossing back",
            buckets=LATENCY_BUCKETS,
        )
        crossing = Histogram(
            "socialnet_db_crossing_seconds",
            "The trio/asyncio crossing of a database call: its time minus the work's own",
            buckets=FAST_BUCKETS,
        )

    _m = Metrics


# --- recorded where things happen (no-ops while disabled) ---


def socket_opened(sockets_of_user: int) -> None:
    if _m is not None:
        _m.user_sockets.observe(sockets_of_user)


def chat_batch(size: int, stored: int) -> None:
    if _m is not None:
        _m.writer_batch.observe(size)
        _m.chat_stored.inc(stored)


def message_routed(created_at: str) -> None:
    """A chat message reached the router: its lag since its transaction stamped it (API.md's
    ISO 8601 `created_at`; Postgres's clock against ours, the same machine's or NTP's)."""
    if _m is not None:
        stamped = datetime.fromisoformat(created_at).timestamp()
        _m.bus_lag.observe(max(0.0, time.time() - stamped))


def http_request(route: str, method: str, status: int, seconds: float) -> None:
    if _m is not None:
        _m.http.labels(route, method, str(status)).observe(seconds)


def db_call(total_seconds: float, work_seconds: float, waited: bool) -> None:
    if _m is not None:
        _m.db_call.observe(total_seconds)
        _m.crossing.observe(max(0.0, total_seconds - work_seconds))
        if waited:
            _m.lane_waits.inc()


# --- carried over once a second ---


class _Pumped:
    """What the per-frame counters held at the last pump."""

    frames_in = frames_out = overflows = 0
    routed: Counter[str] = Counter()


def pump_once(*, sockets: int, users: int, lanes_busy: int, lanes: int) -> None:
    """Carry the per-frame counts over and set the gauges (from the pump task)."""
    if _m is None:
        return
    last = _Pumped
    _m.frames_in.inc(COUNTS.frames_in - last.frames_in)
    _m.frames_out.inc(COUNTS.frames_out - last.frames_out)
    _m.mailbox_overflows.inc(COUNTS.mailbox_overflows - last.overflows)
    last.frames_in, last.frames_out = COUNTS.frames_in, COUNTS.frames_out
    last.overflows = COUNTS.mailbox_overflows
    routed = COUNTS.routed.copy()
    for kind, count in routed.items():
        if count > last.routed[kind]:
            _m.routed.labels(kind).inc(count - last.routed[kind])
    last.routed = routed
    _m.sockets_open.set(sockets)
    _m.users_online.set(users)
    _m.lanes_busy.set(lanes_busy)
    _m.lanes_total.set(lanes)


# --- the endpoint ---


@contextmanager
def open_metrics_directory() -> Iterator[str]:
    """A fresh PROMETHEUS_MULTIPROC_DIR for this server and its workers (inherited through the
    environment), removed when the server stops."""
    directory = tempfile.mkdtemp(prefix="socialnet-metrics-")
    previous = os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def serve_metrics(host: str, port: int) -> Iterator[int]:
    """Serve GET /metrics on host:port from a thread of its own (prometheus_client's own small
    HTTP server): every process's values in the directory, added up. Yields the bound port."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    server, thread = start_http_server(port, addr=host, registry=registry)
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
