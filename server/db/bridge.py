"""The trio/asyncio bridge: lanes, each one long-lived asyncio task that owns one asyncpg
connection and runs, one after another, the work trio hands it.

asyncpg speaks asyncio only. Crossing into asyncio the usual way (a new asyncio task per call,
awaited from trio, a trio deadline around it, a connection acquired from asyncpg's pool) cost
about 360 µs of CPU per call on these machines, where the query itself costs 36 µs in plain
asyncio (docs/benchmarks.md, "The trio/asyncio bridge"). A lane costs about 160 µs: trio puts a
job into the lane's queue and parks; the lane runs it on its connection and reschedules the
parked trio task with the outcome. No task, no pool, no timer per call.

- Deadlines: Postgres bounds every statement (`statement_timeout`, set once per connection), and
  a watchdog closes the connection of a job that outlives COMMAND_TIMEOUT_SECONDS anyway (a
  network that hangs): no timer per call, which trio_asyncio would keep until due.
- Contexts: each lane's task runs in an empty contextvars.Context, so nothing the asyncio side
  keeps can hold a request (a Quart request lives in the caller's context).
- Cancellation: a cancelled caller stops waiting at once; its job still runs to its end on the
  lane (a statement cannot be abandoned halfway) and its answer is dropped. Callers that must
  not be cancelled (transactions) shield themselves.
- Failures: a job that finds the connection lost gets the error (the database layer turns it
  into 503); the lane connects afresh for the next job.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import outcome
import trio
import trio_asyncio

from server import metrics

log = logging.getLogger("socialnet.db")

# A runaway query must not hold a request, a shielded write or shutdown forever.
COMMAND_TIMEOUT_SECONDS = 30
# How often the watchdog looks at the lanes, at most.
WATCH_SECONDS = 1.0
# At shutdown, how long the connections get to close politely, all together.
CLOSE_SECONDS = 2.0

LaneWork = Callable[[asyncpg.Connection], Awaitable[Any]]


def is_connection_lost(error: BaseException) -> bool:
    """Whether `error` means the connection is of no more use (the next job reconnects)."""
    if isinstance(error, asyncpg.InterfaceError):
        return "connection is closed" in str(error)
    return isinstance(
        error,
        OSError
        | asyncio.TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.AdminShutdownError
        | asyncpg.CrashShutdownError
        | asyncpg.CannotConnectNowError,
    )


class Job:
    __slots__ = ("work", "task", "abandoned", "ran")

    def __init__(self, work: LaneWork, task: trio.lowlevel.Task):
        self.work = work
        self.task = task
        self.abandoned = False
        # Seconds the work itself took on its lane (the rest of a call is the crossing).
        self.ran = 0.0


class Lane:
    """One connection and the asyncio task that serves it."""

    def __init__(self, lanes: Lanes):
        self._lanes = lanes
        self.conn: asyncpg.Connection | None = None
        self.inbox: asyncio.Queue[Job] = asyncio.Queue()
        # Since when the current job runs (for the watchdog), or None when idle.
        self.busy_since: float | None = None

    async def connection(self) -> asyncpg.Connection:
        if self.conn is None or self.conn.is_closed():
            self.conn = await self._lanes.connect()
        return self.conn

    async def serve(self) -> None:
        """Asyncio side, forever: run each job, hand its outcome to its trio task."""
        while True:
            job = await self.inbox.get()
            self.busy_since = time.monotonic()
            began = time.perf_counter()
            try:
                result = outcome.Value(await job.work(await self.connection()))
            except asyncio.CancelledError:
                self.busy_since = None
                if not job.abandoned:
                    trio.lowlevel.reschedule(job.task, outcome.Error(asyncio.CancelledError()))
                raise
            except BaseException as error:  # every failure goes back to the caller
                if is_connection_lost(error) and self.conn is not None:
                    self.conn.terminate()
                    self.conn = None
                result = outcome.Error(error)
            self.busy_since = None
            job.ran = time.perf_counter() - began
            if not job.abandoned:
                trio.lowlevel.reschedule(job.task, result)
            self._lanes.release(self)

    def terminate(self) -> None:
        """Close the connection at once (the watchdog): the job on it fails, the next one
        connects afresh."""
        if self.conn is not None:
            self.conn.terminate()


class Lanes:
    """A fixed number of lanes; trio callers take a free one, or wait their turn."""

    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]], size: int):
        self.connect = connect
        self._lanes = [Lane(self) for _ in range(size)]
        self._idle = list(self._lanes)
        self._waiting = trio.lowlevel.ParkingLot()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        """Start every lane's asyncio task, each in an empty context."""
        loop = trio_asyncio.current_loop.get()
        for lane in self._lanes:
            self._tasks.append(loop.create_task(lane.serve(), context=contextvars.Context()))

    async def stop(self) -> None:
        """Close every connection: politely, within CLOSE_SECONDS (a connection that hangs,
        cut by a network or a firewall, would never answer), then at once."""
        for task in self._tasks:
            task.cancel()
        with trio.move_on_after(CLOSE_SECONDS):
            for lane in self._lanes:
                if lane.conn is not None and not lane.conn.is_closed():
                    await trio_asyncio.aio_as_trio(lane.conn.close)()
        for lane in self._lanes:
            if lane.conn is not None and not lane.conn.is_closed():
                lane.conn.terminate()

    async def run(self, work: LaneWork) -> Any:
        """Run `work(conn)` on a free lane and return its result (or raise its error)."""
        started = time.perf_counter()
        waited = not self._idle
        while not self._idle:
            await self._waiting.park()
        lane = self._idle.pop()
        job = Job(work, trio.lowlevel.current_task())
        lane.inbox.put_nowait(job)

        def abort(_raise_cancel) -> trio.lowlevel.Abort:
            job.abandoned = True  # the lane finishes it; nobody waits for the answer
            return trio.lowlevel.Abort.SUCCEEDED

        try:
            return await trio.lowlevel.wait_task_rescheduled(abort)
        finally:
            metrics.db_call(time.perf_counter() - started, job.ran, waited)

    def use(self) -> tuple[int, int]:
        """(lanes running a call now, lanes)."""
        return len(self._lanes) - len(self._idle), len(self._lanes)

    def release(self, lane: Lane) -> None:
        self._idle.append(lane)
        self._waiting.unpark()

    async def watch(self, *, task_status=trio.TASK_STATUS_IGNORED) -> None:
        """Close the connection of any job running past the deadline (a network that hangs:
        Postgres's own statement_timeout covers the rest)."""
        task_status.started()
        while True:
            limit = COMMAND_TIMEOUT_SECONDS
            await trio.sleep(min(WATCH_SECONDS, limit / 4))
            now = time.monotonic()
            for lane in self._lanes:
                if lane.busy_since is not None and now - lane.busy_since > limit:
                    log.error("a database call outlived %ss; its connection is closed", limit)
                    lane.terminate()
