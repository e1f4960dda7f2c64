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
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import trio
from trio_websocket import ConnectionClosed, HandshakeError, connect_websocket_url

from loadtest.http import ClientPool, HttpError, KeepAliveClient
from loadtest.stats import Stats

# Handshakes in flight at once: a burst of thousands overflows the server's listen backlog.
CONNECT_CONCURRENCY = 100
# After the last send, how long deliveries may still arrive before they count as lost.
DELIVERY_GRACE_SECONDS = 5.0
PROGRESS_SECONDS = 0.5
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
    data = json.loads(sessions_file.read_text())
    users = data["users"][:count]
    if len(users) < count:
        raise SystemExit(
            f"{sessions_file} has {len(users)} users; run `socialnet seed --users {count}`"
        )
    return [SimUser(n, u["user_id"], u["token"]) for n, u in enumerate(users)]


class LoadRun:
    def __init__(self, url: str, users: list[SimUser], stats: Stats, *, progress: bool = True):
        self.url = url.rstrip("/")
        self.ws_url = self.url.replace("http", "ws", 1) + "/ws"
        self.users = users
        self.stats = stats
        self.progress = progress
        # client_msg_id (or a post's marker) -> (sent at, user ids still owed a copy)
        self.pending: dict[str, tuple[float, set[int]]] = {}
        # Frames still to come: each copy of each message, and each sender's ack (or error).
        self.owed = 0
        self.all_delivered = trio.Event()
        # Sockets whose watch is not confirmed yet (feed-live).
        self.watches_owed = 0
        self.all_watching = trio.Event()

    # --- sockets ---

    async def connect_all(self, nursery: trio.Nursery) -> None:
        limiter = trio.CapacityLimiter(CONNECT_CONCURRENCY)
        async with trio.open_nursery() as connecting:
            for user in self.users:
                connecting.start_soon(self._connect, nursery, user, limiter)

    async def _connect(self, nursery: trio.Nursery, user: SimUser, limiter) -> None:
        async with limiter:
            try:
                user.socket = await connect_websocket_url(
                    nursery,
                    self.ws_url,
                    extra_headers=[("Cookie", f"sid={user.token}")],
                    message_queue_size=10_000,
                )
            except (HandshakeError, OSError):
                self.stats.connect_failures += 1
                return
        self.stats.connected += 1
        nursery.start_soon(self._read, user)

    async def _read(self, user: SimUser) -> None:
        try:
            while True:
                self._on_frame(user, json.loads(await user.socket.get_message()))
        except ConnectionClosed:
            if not user.closing:
                self.stats.dropped += 1

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
            if kind == "chat.error":
                self._settle()  # no ack will come for it

    def _delivered(self, user: SimUser, key: str | None) -> None:
        entry = self.pending.get(key)
        if entry is not None and user.user_id in entry[1]:
            entry[1].discard(user.user_id)
            self.stats.delivered += 1
            self.stats.latencies_ms.append((trio.current_time() - entry[0]) * 1000)
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
        self.stats.sent += 1

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
        """Call `act(n)` `rate` times a second for `duration` seconds, on schedule."""
        interval = 1 / rate
        start = trio.current_time()
        for n in itertools.count():
            due = start + n * interval
            if due >= start + duration:
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

    async def show_progress(self, started: float) -> None:
        while self.progress:
            await trio.sleep(PROGRESS_SECONDS)
            s = self.stats
            line = (
                f"\r{trio.current_time() - started:6.1f}s  connected {s.connected}"
                f"  dropped {s.dropped}  sent {s.sent}  delivered {s.delivered}/{s.expected}"
            )
            sys.stderr.write(line)
            sys.stderr.flush()


# --- scenarios ---


async def run_idle(run: LoadRun, rate: float, duration: float) -> None:
    await trio.sleep(duration)


async def run_direct(run: LoadRun, rate: float, duration: float) -> None:
    users = run.users
    if len(users) % 2:
        users = users[:-1]  # pairs only

    async def act(n: int) -> None:
        sender = users[n % len(users)]
        partner = users[sender.index ^ 1]
        if sender.socket is not None:
            await run.send_chat(sender, {"user": partner.user_id}, {partner.user_id})

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
    room = await find_room(run.url, run.users[0])
    connected = [user for user in run.users if user.socket is not None]
    everyone = {user.user_id for user in connected}

    async def act(n: int) -> None:
        sender = connected[n % len(connected)]
        await run.send_chat(sender, {"group": room}, everyone - {sender.user_id})

    await run.paced(rate, duration, act)


async def run_feed(run: LoadRun, rate: float, duration: float) -> None:
    clients = [ClientPool(run.url, cookie=f"sid={user.token}") for user in run.users]
    # Like a browser that has the page open, each user is connected and signed in before the
    # measured requests start (the other scenarios likewise connect every socket first).
    limiter = trio.CapacityLimiter(CONNECT_CONCURRENCY)

    async def warm_up(client: ClientPool) -> None:
        async with limiter:
            try:
                ok = await client.get(FEED_PATH) == 200
            except HttpError:
                ok = False
        if ok:
            run.stats.connected += 1
        else:
            run.stats.connect_failures += 1

    async with trio.open_nursery() as warming:
        for client in clients:
            warming.start_soon(warm_up, client)

    async def read_feed(client: ClientPool) -> None:
        started = trio.current_time()
        run.stats.sent += 1
        try:
            with trio.fail_after(FEED_TIMEOUT_SECONDS):
                ok = await client.get(FEED_PATH) == 200
        except (HttpError, trio.TooSlowError):
            ok = False
        if ok:
            run.stats.delivered += 1
            run.stats.latencies_ms.append((trio.current_time() - started) * 1000)
        else:
            run.stats.refused += 1

    try:
        async with trio.open_nursery() as requests:

            async def act(n: int) -> None:
                requests.start_soon(read_feed, clients[n % len(clients)])

            await run.paced(rate, duration, act)
    finally:
        for client in clients:
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
    server_pid: int | None = None,
    cpu_pids: list[int] = (),
    progress: bool = True,
) -> tuple[Stats, dict]:
    """Run one scenario; its Stats and extra facts (server memory per socket, server CPU per
    message while the scenario ran: `cpu_pids` are the process trees counted, the server's
    and its Postgres's)."""
    stats = Stats(scenario=scenario, users=len(users), rate=rate, duration=duration)
    run = LoadRun(url, users, stats, progress=progress)
    extra: dict = {}
    rss_before = read_rss_kib(server_pid)
    async with trio.open_nursery() as nursery:
        started = trio.current_time()
        nursery.start_soon(run.show_progress, started)
        if scenario != "feed":
            await run.connect_all(nursery)
        rss_connected = read_rss_kib(server_pid)
        if rss_before is not None and stats.connected:
            extra["server_rss_kib"] = {"before": rss_before, "connected": rss_connected}
            extra["server_kib_per_socket"] = round(
                (rss_connected - rss_before) / stats.connected, 1
            )
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
    if progress:
        sys.stderr.write("\n")
    return stats, extra
