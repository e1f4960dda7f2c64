"""`socialnet serve --workers N`: real processes on one port, started, shared and stopped.

That the workers behave as one server (a socket on one hears events from another) is the bus's
job, tested with two server processes in tests/realtime. Here: the supervisor's own promises.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trio

from loadtest.driver import process_tree
from loadtest.http import KeepAliveClient
from server.workers import QUICK_DEATHS_ALLOWED

WORKERS = 2
# Connections opened to see that the kernel spreads them: all of them on one worker by chance
# happens once in 2**19 runs.
CONNECTIONS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Supervised:
    """A `socialnet serve --workers` process and the JSON log lines it has printed so far."""

    def __init__(self, process: trio.Process, port: int):
        self.process = process
        self.port = port
        self.lines: list[dict] = []
        self._buffer = b""

    async def read_until(self, predicate) -> None:
        """Read log lines until `predicate(self.lines)` holds."""
        while not predicate(self.lines):
            if not await self._read():
                raise AssertionError(f"the server's output ended: {self.lines[-5:]}")

    async def read_to_end(self) -> None:
        while await self._read():
            pass

    async def _read(self) -> bool:
        data = await self.process.stdout.receive_some(65536)
        self._buffer += data
        *complete, self._buffer = self._buffer.split(b"\n")
        self.lines += [json.loads(line) for line in complete if line.startswith(b"{")]
        return bool(data)

    def workers_saying(self, event: str) -> set[int]:
        return {
            line["worker"]
            for line in self.lines
            if "worker" in line and line["event"].startswith(event)
        }

    def worker_pids(self) -> list[int]:
        """The supervisor's children."""
        return sorted(set(process_tree(self.process.pid)) - {self.process.pid})


def process_exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def established_socket_owners(port: int, pids: list[int]) -> set[int]:
    """Which of `pids` hold an established TCP connection on local `port` (Linux /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(fields[9])
    owners = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile
            if target.startswith("socket:[") and target[8:-1] in inodes:
                owners.add(pid)
    return owners


@asynccontextmanager
async def open_supervised(database_url: str, tmp_path, **env: str) -> AsyncIterator[Supervised]:
    """`serve --workers WORKERS` with `env` added, once every worker serves; killed after."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SOCIALNET_CLIENT_DIR": "", **env}
    command = [sys.executable, "-m", "server.cli", "serve", "--workers", str(WORKERS)]
    command += ["--port", str(port), "--data-dir", str(tmp_path), "--log-format", "json"]
    # A process group of its own, as in a terminal: Ctrl-C reaches the supervisor and workers.
    process = await trio.lowlevel.open_process(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    running = Supervised(process, port)
    try:
        with trio.fail_after(60):
            await running.read_until(
                lambda _: running.workers_saying("serving on") == set(range(WORKERS))
            )
        yield running
    finally:
        if process.returncode is None:
            process.terminate()  # graceful: what it made (a metrics directory) goes with it
            with trio.move_on_after(15):
                await process.wait()
        if process.returncode is None:
            process.kill()
        await process.wait()


@pytest.fixture
async def supervised(database_url: str, tmp_path):
    async with open_supervised(database_url, tmp_path) as running:
        yield running


async def test_workers_share_the_port_and_stop_together_on_sigterm(supervised: Supervised):
    pids = supervised.worker_pids()
    assert len(pids) == WORKERS
    clients = [
        KeepAliveClient(f"http://127.0.0.1:{supervised.port}", cookie="")
        for _ in range(CONNECTIONS)
    ]
    for client in clients:
        assert await client.get("/api/health") == 200  # and the connection stays open
    assert established_socket_owners(supervised.port, pids) == set(pids)
    for client in clients:
        await client.aclose()

    supervised.process.send_signal(signal.SIGTERM)
    with trio.fail_after(30):
        assert await supervised.process.wait() == 0
        await supervised.read_until(lambda lines: lines and lines[-1]["event"] == "stopped")
    assert supervised.workers_saying("stopped") == set(range(WORKERS))
    assert not any(process_exists(pid) for pid in pids)


async def test_ctrl_c_stops_every_worker_gracefully(supervised: Supervised):
    # The terminal's SIGINT reaches every process of the group, then the supervisor sends its
    # workers SIGTERM: the second signal must not cut their graceful shutdown short.
    os.killpg(supervised.process.pid, signal.SIGINT)
    with trio.fail_after(30):
        assert await supervised.process.wait() == 0
        await supervised.read_to_end()
    assert supervised.workers_saying("stopped") == set(range(WORKERS))


async def test_a_second_ctrl_c_stops_at_once_in_one_line(supervised: Supervised):
    # Some wrappers (`timeout`, a shell that forwards) deliver Ctrl-C to the group twice.
    os.killpg(supervised.process.pid, signal.SIGINT)
    with trio.fail_after(30):
        await supervised.read_until(
            lambda lines: any(
                line["event"].startswith("received SIGINT") and "worker" not in line
                for line in lines
            )
        )
        os.killpg(supervised.process.pid, signal.SIGINT)
        assert await supervised.process.wait() == 130
        await supervised.read_to_end()  # every worker gone: the output's last writer closed it
        said = (await supervised.process.stderr.receive_some(65536)).decode()
    assert said == "socialnet: stopped at once (a second interrupt)\n", said


def times_serving(supervised: Supervised, number: int) -> int:
    return sum(
        1
        for line in supervised.lines
        if line.get("worker") == number and line["event"].startswith("serving on")
    )


async def test_a_worker_that_dies_is_started_again_while_the_others_serve(
    supervised: Supervised,
):
    """Killed (as by the out-of-memory killer), a worker comes back; the other never stopped,
    and the port answered throughout. (It used to take the whole server down, for good under
    `make run`.)"""
    first, second = supervised.worker_pids()
    os.kill(second, signal.SIGKILL)
    with trio.fail_after(60):
        await supervised.read_until(
            lambda lines: any("starting it again" in line["event"] for line in lines)
        )
        client = KeepAliveClient(f"http://127.0.0.1:{supervised.port}", cookie="")
        assert await client.get("/api/health") == 200  # the other worker, meanwhile
        await client.aclose()
        await supervised.read_until(
            lambda _: sum(times_serving(supervised, n) for n in range(WORKERS)) == WORKERS + 1
        )
    assert supervised.process.returncode is None
    pids = supervised.worker_pids()
    assert first in pids and second not in pids and len(pids) == WORKERS


async def test_a_worker_that_keeps_dying_takes_the_others_down_with_a_failure(
    supervised: Supervised,
):
    """A crash loop is not hidden: a worker that dies again and again soon after its start
    stops the server (exit status 1), for systemd or the container runtime to see."""
    first = supervised.worker_pids()[0]
    starts = WORKERS
    for _ in range(QUICK_DEATHS_ALLOWED - 1):
        victim = next(pid for pid in supervised.worker_pids() if pid != first)
        os.kill(victim, signal.SIGKILL)
        starts += 1
        with trio.fail_after(60):
            await supervised.read_until(
                lambda _, starts=starts: (
                    sum(times_serving(supervised, n) for n in range(WORKERS)) == starts
                )
            )
    victim = next(pid for pid in supervised.worker_pids() if pid != first)
    os.kill(victim, signal.SIGKILL)
    with trio.fail_after(30):
        assert await supervised.process.wait() == 1
    assert not process_exists(first)


async def test_workers_do_not_outlive_a_killed_supervisor(supervised: Supervised):
    pids = supervised.worker_pids()
    supervised.process.kill()  # SIGKILL: no chance to stop anyone
    await supervised.process.wait()
    with trio.fail_after(30):
        # The workers share the supervisor's stdout: it ends once the last of them has exited.
        await supervised.read_to_end()
    assert supervised.workers_saying("the supervisor is gone") == set(range(WORKERS))
    assert supervised.workers_saying("stopped") == set(range(WORKERS))
    assert len(pids) == WORKERS
