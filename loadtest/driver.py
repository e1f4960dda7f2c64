"""`socialnet load`: simulated users against a running server, each one a trio task (an actor
of its own) with a real session and a trio-websocket connection.

Scenarios:
    idle       N sockets connected and held
    direct     pairs who follow each other chatting, R messages/s in all
    group      N members of one group, R messages/s into its room
    feed       users reading feed pages, R requests/s in all
    feed-live  every user watching Home over their socket, R posts/s in all (over HTTP); each
               post is owed to its author's Home and their partner's (who follows them)

Every message carries a client_msg_id, every post a marker in its text; each intended
recipient's copy is matched to it, so the run knows the latency of every delivery and how many
were never delivered.

Before anything, the server's health is asked for with a short timeout, so a wrong --url fails
at once, naming the URL and the reason. With a ramp-up, users connect one after another over
its seconds, and the send rate grows from zero to --rate over the same seconds; messages go
only between users already connected.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

import trio
from trio_websocket import (
    ConnectionClosed,
    ConnectionRejected,
    ConnectionTimeout,
    HandshakeError,
    connect_websocket_url,
)

from loadtest.http import ClientPool, HttpError, KeepAliveClient
from loadtest.sessions_file import read_sessions
from loadtest.stats import Stats

# Handshakes in flight at once: a burst of thousands overflows the server's listen backlog.
CONNECT_CONCURRENCY = 100
# After the last send, how long deliveries may still arrive before they count as lost.
DELIVERY_GRACE_SECONDS = 5.0
# Progress: redrawn in place on a terminal; a plain line this often otherwise (CI logs).
PROGRESS_SECONDS = 0.5
PROGRESS_LINE_SECONDS = 5.0
# How long the server has to answer the health check made before the run.
HEALTH_TIMEOUT_SECONDS = 3.0
HEALTH_PATH = "/api/health"
VERSION_PATH = "/api/health/live"
FEED_PATH = "/api/feed"
FEED_TIMEOUT_SECONDS = 30.0
POSTS_PATH = "/api/posts"
# How long every socket gets to confirm its watch (a pong after the watch frame).
WATCH_TIMEOUT_SECONDS = 30.0
ROOM_NAME = "Load room"  # the group `socialnet seed` makes everyone a member of


@dataclass
class SimUser:
    index: int
    user_id: int
    token: str
    socket: object | None = None
    closing: bool = False


def load_users(sessions_file: Path, count: int) -> list[SimUser]:
    users = read_sessions(sessions_file)[:count]
    if len(users) < count:
        raise SystemExit(
            f"{sessions_file} has {len(users)} users; run `socialnet seed --users {count}`"
        )
    return [SimUser(n, u["user_id"], u["token"]) for n, u in enumerate(users)]


class ServerUnreachable(Exception):
    """The server did not answer its health check: the run cannot start (one line)."""


async def check_server(url: str, *, patience: float = HEALTH_TIMEOUT_SECONDS) -> str | None:
    """Fail fast: GET /api/health within `patience` seconds, else ServerUnreachable naming the
    URL and the reason. The server's version (from /api/health/live), when it says one."""
    target = url.rstrip("/") + HEALTH_PATH
    client = KeepAliveClient(url, cookie="")
    try:
        with trio.fail_after(patience):
            status = await client.get(HEALTH_PATH)
            if status != 200:
                raise ServerUnreachable(f"{target} answered {status}: the server is not ready")
            try:
                return (await client.get_json(VERSION_PATH)).get("version")
            except (HttpError, ValueError, AttributeError):
                return None  # an older server, or the baseline: no version to tell
    except trio.TooSlowError:
        raise ServerUnreachable(f"{target}: no answer within {patience:g} s") from None
    except HttpError as error:
        reason = _reason(error)
        raise ServerUnreachable(f"{target}: {reason} (is the server running there?)") from None
    finally:
        await client.aclose()


def ramp_schedule(rate: float, ramp_up: float, duration: float) -> Callable[[int], float]:
    """When the n-th act is due, in seconds from the start: the rate grows linearly from 0 to
    `rate` over `ramp_up` (n(t) = rate t² / 2 ramp_up), then holds for `duration`."""
    in_ramp = rate * ramp_up / 2  # acts due during the ramp-up

    def due(n: int) -> float:
        if n < in_ramp:
            return math.sqrt(2 * ramp_up * n / rate)
        return ramp_up + (n - in_ramp) / rate

    return due


class LoadRun:
    def __init__(
        self,
        url: str,
        users: list[SimUser],
        stats: Stats,
        *,
        progress: bool = True,
        ramp_up: float = 0.0,
        on_terminal: bool = True,
        progress_every: float = PROGRESS_LINE_SECONDS,
    ):
        self.url = url.rstrip("/")
        self.ws_url = self.url.replace("http", "ws", 1) + "/ws"
        self.users = users
        self.stats = stats
        self.progress = progress
        self.ramp_up = ramp_up
        self.on_terminal = on_terminal
        self.progress_every = progress_every
        # Users connected so far, in the order they connected (who may send or receive).
        self.connected: list[SimUser] = []
        self.all_connected = trio.Event()
        # client_msg_id (or a post's marker) -> (sent at, user ids still owed a copy)
        self.pending: dict[str, tuple[float, set[int]]] = {}
        # Frames still to come: each copy of each message, and each sender's ack (or error).
        self.owed = 0
        self.all_delivered = trio.Event()
        # Sockets whose watch is not confirmed yet (feed-live).
        self.watches_owed = 0
        self.all_watching = trio.Event()

    # --- sockets ---

    async def connect_all(self, nursery: trio.Nursery, connect=None) -> None:
        """Connect every user (at once, or one after another over the ramp-up); the sockets'
        readers run in `nursery`. `connect(user, limiter)` replaces the WebSocket (feed)."""
        connect = connect or partial(self._connect, nursery)
        limiter = trio.CapacityLimiter(CONNECT_CONCURRENCY)
        start = trio.current_time()
        spacing = self.ramp_up / len(self.users) if self.users else 0
        async with trio.open_nursery() as connecting:
            for n, user in enumerate(self.users):
                if spacing:
                    await trio.sleep_until(start + n * spacing)
                connecting.start_soon(connect, user, limiter)
        self.all_connected.set()

    async def _connect(self, nursery: trio.Nursery, user: SimUser, limiter) -> None:
        await nursery.start(self._hold, user, limiter)

    async def _hold(self, user: SimUser, limiter, *, task_status=trio.TASK_STATUS_IGNORED):
        """Connect `user` and read its socket until it closes; reports started once connected
        (or failed). Each socket has a nursery of its own for trio-websocket's reader, so that
        a refused handshake (which that reader raises too) ends this user alone."""
        reason = None
        try:
            async with trio.open_nursery() as own:
                async with limiter:
                    user.socket = await connect_websocket_url(
                        own,
                        self.ws_url,
                        extra_headers=[("Cookie", f"sid={user.token}")],
                        message_queue_size=10_000,
                    )
                self.stats.connected += 1
                self.connected.append(user)
                task_status.started()
                await self._read(user)
        except* ConnectionRejected as group:
            reason = f"connect: HTTP {group.exceptions[0].status_code}"
        except* ConnectionTimeout:
            reason = "connect: timeout"
        except* (HandshakeError, OSError) as group:
            reason = f"connect: {_reason(group.exceptions[0])}"
        if reason is not None and user.socket is None:
            self._connect_failed(reason)
            task_status.started()

    def _connect_failed(self, reason: str) -> None:
        self.stats.connect_failures += 1
        self.stats.record_error(reason)

    async def _read(self, user: SimUser) -> None:
        try:
            while True:
                self._on_frame(user, json.loads(await user.socket.get_message()))
        except ConnectionClosed as closed:
            if not user.closing:
                self.stats.dropped += 1
                code = closed.reason.code if closed.reason is not None else None
                self.stats.record_error(f"dropped: close code {code}")

    def _on_frame(self, user: SimUser, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "chat.message":
            self._delivered(user, frame["message"].get("client_msg_id"))
        elif kind == "post.new" and frame.get("feed") == "home":
            self._delivered(user, frame["post"].get("body"))
        elif kind == "pong" and self.watches_owed:
            self.watches_owed -= 1
            if not self.watches_owed:
                self.all_watching.set()
        elif kind == "chat.ack":
            self.stats.acked += 1
            self._settle()
        elif kind in ("chat.error", "error"):
            self.stats.refused += 1
            self.stats.record_error(f"{kind}: {frame.get('code')}")
            if kind == "chat.error":
                self._settle()  # no ack will come for it

    def _delivered(self, user: SimUser, key: str | None) -> None:
        entry = self.pending.get(key)
        if entry is not None and user.user_id in entry[1]:
            entry[1].discard(user.user_id)
            now = trio.current_time()
            self.stats.record_delivered(now, (now - entry[0]) * 1000)
            self._settle()

    def _settle(self) -> None:
        self.owed -= 1
        if self.owed == 0:
            self.all_delivered.set()

    async def close_all(self) -> None:
        for user in self.users:
            user.closing = True
        with trio.move_on_after(5):
            async with trio.open_nursery() as closing:
                for user in self.users:
                    if user.socket is not None:
                        closing.start_soon(user.socket.aclose)

    # --- sending ---

    def _expect(self, key: str, recipients: set[int]) -> None:
        """A message or post is on its way: its copies, and its sender's answer, are owed."""
        self.pending[key] = (trio.current_time(), set(recipients))
        if self.owed == 0:
            self.all_delivered = trio.Event()  # owed again: wait for a new "all settled"
        self.owed += len(recipients) + 1  # every copy, and the sender's ack
        self.stats.expected += len(recipients)
        self.stats.record_sent(trio.current_time())

    async def send_chat(self, user: SimUser, to: dict, recipients: set[int]) -> None:
        client_msg_id = uuid.uuid4().hex
        frame = {"type": "chat.send", "to": to, "body": "load " + client_msg_id[:8]}
        frame["client_msg_id"] = client_msg_id
        self._expect(client_msg_id, recipients)
        try:
            await user.socket.send_message(json.dumps(frame))
        except ConnectionClosed:
            pass  # counted as dropped by its reader; the copies it owed count as lost

    async def publish_post(self, client: ClientPool, recipients: set[int]) -> None:
        """A post over HTTP, followers only, whose text is its marker; the answer settles the
        sender's part (201 as an ack, anything else as a refusal whose copies are lost)."""
        marker = "load " + uuid.uuid4().hex
        self._expect(marker, recipients)
        try:
            with trio.fail_after(FEED_TIMEOUT_SECONDS):
                status = await client.post_form(
                    POSTS_PATH, {"body": marker, "privacy": "almost_private"}
                )
        except (HttpError, trio.TooSlowError):
            status = 0
        if status == 201:
            self.stats.acked += 1
        else:
            self.stats.refused += 1
        self._settle()

    async def watch_home(self, users: list[SimUser]) -> None:
        """Every socket watches Home; returns once each has confirmed it (or the time is up:
        what an unconfirmed socket misses counts as lost)."""
        self.watches_owed = len(users)
        for user in users:
            try:
                await user.socket.send_message(json.dumps({"type": "watch", "feeds": ["home"]}))
                await user.socket.send_message(json.dumps({"type": "ping"}))
            except ConnectionClosed:
                pass  # counted as dropped by its reader
        with trio.move_on_after(WATCH_TIMEOUT_SECONDS):
            await self.all_watching.wait()

    async def paced(self, rate: float, duration: float, act) -> None:
        """Call `act(n)` `rate` times a second for `duration` seconds, on schedule (after the
        ramp-up, over which the rate grows from zero)."""
        interval = 1 / rate
        start = trio.current_time()
        schedule = ramp_schedule(rate, self.ramp_up, duration)
        end = start + self.ramp_up + duration
        for n in itertools.count():
            due = start + schedule(n)
            if due >= end:
                return
            now = trio.current_time()
            if now < due:
                await trio.sleep_until(due)
            elif now - due > interval:
                self.stats.late_ticks += 1
            await act(n)

    async def wait_for_deliveries(self) -> None:
        if self.owed == 0:
            return
        with trio.move_on_after(DELIVERY_GRACE_SECONDS):
            await self.all_delivered.wait()

    def progress_line(self, started: float) -> str:
        s = self.stats
        if s.is_http:
            done = f"requests {s.sent}  ok {s.delivered}  errors {s.refused}"
        else:
            done = f"sent {s.sent}  delivered {s.delivered}/{s.expected}"
        return (
            f"{trio.current_time() - started:6.1f}s  connected {s.connected}"
            f"  dropped {s.dropped}  {done}"
        )

    async def show_progress(self, started: float) -> None:
        """On a terminal, one line redrawn in place; elsewhere (CI logs, a pipe) a plain line
        every `progress_every` seconds."""
        while self.progress:
            if self.on_terminal:
                await trio.sleep(PROGRESS_SECONDS)
                sys.stderr.write("\r" + self.progress_line(started))
            else:
                await trio.sleep(self.progress_every)
                sys.stderr.write(self.progress_line(started) + "\n")
            sys.stderr.flush()


# --- scenarios ---


async def run_idle(run: LoadRun, rate: float, duration: float) -> None:
    await trio.sleep(run.ramp_up + duration)


async def run_direct(run: LoadRun, rate: float, duration: float) -> None:
    """Pairs chat: each message from a connected user to their partner (2k and 2k+1), once
    both are connected."""
    by_index = {user.index: user for user in run.users}

    async def act(n: int) -> None:
        connected = run.connected
        for k in range(len(connected)):  # the next sender whose partner is connected too
            sender = connected[(n + k) % len(connected)]
            partner = by_index.get(sender.index ^ 1)
            if partner is not None and partner.socket is not None:
                await run.send_chat(sender, {"user": partner.user_id}, {partner.user_id})
                return

    await run.paced(rate, duration, act)


async def find_room(url: str, user: SimUser) -> int:
    client = KeepAliveClient(url, cookie=f"sid={user.token}")
    try:
        items = (await client.get_json("/api/groups?" + urlencode({"q": ROOM_NAME})))["items"]
    finally:
        await client.aclose()
    if not items:
        raise SystemExit(f"no {ROOM_NAME!r} group: run `socialnet seed` first")
    return items[-1]["id"]


async def run_group(run: LoadRun, rate: float, duration: float) -> None:
    """Every connected member sends in turn; every other connected member is owed a copy."""
    room = await find_room(run.url, run.users[0])

    async def act(n: int) -> None:
        connected = run.connected
        if connected:
            sender = connected[n % len(connected)]
            everyone = {user.user_id for user in connected}
            await run.send_chat(sender, {"group": room}, everyone - {sender.user_id})

    await run.paced(rate, duration, act)


async def run_feed(run: LoadRun, rate: float, duration: float) -> None:
    """Users read their feed over HTTP: requests, responses, errors."""
    clients = {user.user_id: ClientPool(run.url, cookie=f"sid={user.token}") for user in run.users}

    # Like a browser that has the page open, each user is connected and signed in before its
    # measured requests start (the other scenarios likewise connect every socket first).
    async def warm_up(user: SimUser, limiter) -> None:
        async with limiter:
            try:
                status = await clients[user.user_id].get(FEED_PATH)
            except HttpError as error:
                run._connect_failed(f"connect: {_reason(error)}")
                return
        if status != 200:
            run._connect_failed(f"connect: HTTP {status}")
            return
        run.stats.connected += 1
        run.connected.append(user)

    async def read_feed(client: ClientPool) -> None:
        started = trio.current_time()
        run.stats.record_sent(started)
        try:
            with trio.fail_after(FEED_TIMEOUT_SECONDS):
                status = await client.get(FEED_PATH)
        except trio.TooSlowError:
            status, reason = 0, f"request: no answer within {FEED_TIMEOUT_SECONDS:g} s"
        except HttpError as error:
            status, reason = 0, f"request: {_reason(error)}"
        else:
            reason = f"request: HTTP {status}"
        if status == 200:
            now = trio.current_time()
            run.stats.record_delivered(now, (now - started) * 1000)
        else:
            run.stats.refused += 1
            run.stats.record_error(reason)

    try:
        async with trio.open_nursery() as requests:
            if run.ramp_up:
                requests.start_soon(partial(run.connect_all, requests, connect=warm_up))
            else:
                await run.connect_all(requests, connect=warm_up)

            async def act(n: int) -> None:
                if run.connected:
                    user = run.connected[n % len(run.connected)]
                    requests.start_soon(read_feed, clients[user.user_id])

            await run.paced(rate, duration, act)
    finally:
        for client in clients.values():
            await client.aclose()
    run.stats.expected = run.stats.sent


async def run_feed_live(run: LoadRun, rate: float, duration: float) -> None:
    """Every user watches Home; users post in turn. A post is owed to its author's Home and to
    their partner's (seed: users 2k and 2k+1 follow each other)."""
    connected = [user for user in run.users if user.socket is not None]
    if not connected:
        return
    await run.watch_home(connected)
    by_index = {user.index: user for user in connected}
    clients = {user.user_id: ClientPool(run.url, cookie=f"sid={user.token}") for user in connected}
    try:
        async with trio.open_nursery() as posting:

            async def act(n: int) -> None:
                author = connected[n % len(connected)]
                partner = by_index.get(author.index ^ 1)
                owed = {author.user_id} | ({partner.user_id} if partner is not None else set())
                posting.start_soon(run.publish_post, clients[author.user_id], owed)

            await run.paced(rate, duration, act)
    finally:
        for client in clients.values():
            await client.aclose()


def _reason(error: BaseException) -> str:
    """A failure in a few words: the OS's (`Connection refused`) when one lies in its causes
    (trio's "all attempts to connect failed" holds one per address), else its own."""
    seen = error
    while True:
        if isinstance(seen, BaseExceptionGroup):
            seen = seen.exceptions[0]
        elif getattr(seen, "strerror", None):
            return seen.strerror
        elif seen.__cause__ is not None:
            seen = seen.__cause__
        else:
            return str(seen) or type(seen).__name__


SCENARIOS = {
    "idle": run_idle,
    "direct": run_direct,
    "group": run_group,
    "feed": run_feed,
    "feed-live": run_feed_live,
}


def read_rss_kib(pid: int | None) -> int | None:
    """Resident memory of `pid` and its descendants (`serve --workers` is a process tree)."""
    if pid is None:
        return None
    return sum(_own_rss_kib(p) for p in process_tree(pid))


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux /proc)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except FileNotFoundError:
            continue  # gone meanwhile
        for task in tasks:  # each thread lists its children
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
    return tree


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def read_cpu_seconds(pids: list[int]) -> float | None:
    """User and system CPU time of these processes and their descendants, so far (Linux /proc:
    fields 14 and 15 of /proc/<pid>/stat). The server's workers are its children; an embedded
    Postgres is not a child of anyone here: name its postmaster too."""
    if not pids:
        return None
    ticks = 0
    for root in pids:
        for pid in process_tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue  # gone meanwhile (a backend that ended)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def _own_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def run_load(
    scenario: str,
    url: str,
    users: list[SimUser],
    *,
    rate: float,
    duration: float,
    ramp_up: float = 0.0,
    server_pid: int | None = None,
    cpu_pids: list[int] = (),
    progress: bool = True,
    on_terminal: bool = True,
    progress_every: float = PROGRESS_LINE_SECONDS,
) -> tuple[Stats, dict]:
    """Run one scenario; its Stats and extra facts (server memory per socket, server CPU per
    message while the scenario ran: `cpu_pids` are the process trees counted, the server's
    and its Postgres's). Without a ramp-up every user connects before the first send; with
    one, users connect over its seconds while the rate grows."""
    stats = Stats(scenario=scenario, users=len(users), rate=rate, duration=duration)
    stats.ramp_up = ramp_up
    run = LoadRun(
        url,
        users,
        stats,
        progress=progress,
        ramp_up=ramp_up,
        on_terminal=on_terminal,
        progress_every=progress_every,
    )
    extra: dict = {}
    rss_before = read_rss_kib(server_pid)

    async def measure_memory_once_connected() -> None:
        await run.all_connected.wait()
        rss_connected = read_rss_kib(server_pid)
        if rss_before is not None and stats.connected:
            extra["server_rss_kib"] = {"before": rss_before, "connected": rss_connected}
            extra["server_kib_per_socket"] = round(
                (rss_connected - rss_before) / stats.connected, 1
            )

    async with trio.open_nursery() as nursery:
        started = stats.started = trio.current_time()
        nursery.start_soon(run.show_progress, started)
        nursery.start_soon(measure_memory_once_connected)
        if scenario != "feed":
            if ramp_up:
                nursery.start_soon(run.connect_all, nursery)
            else:
                await run.connect_all(nursery)
        cpu_before = read_cpu_seconds(list(cpu_pids))
        await SCENARIOS[scenario](run, rate, duration)
        await run.wait_for_deliveries()
        cpu_after = read_cpu_seconds(list(cpu_pids))
        if cpu_before is not None and stats.sent:
            used = cpu_after - cpu_before
            extra["server_cpu_seconds"] = round(used, 2)
            extra["server_cpu_ms_per_message"] = round(used * 1000 / stats.sent, 3)
            if stats.delivered:
                extra["server_cpu_us_per_delivery"] = round(used * 1e6 / stats.delivered, 1)
        await run.close_all()
        nursery.cancel_scope.cancel()
    if progress and on_terminal:
        sys.stderr.write("\n")
    return stats, extra
