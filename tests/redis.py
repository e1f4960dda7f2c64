"""Real Redis servers for the tests: Debian's redis-server (tests/ensure-system-packages.sh),
one alone or three in a Redis Cluster, each on a free port in a temporary directory, run as
child processes and stopped by whoever started them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import wait_or_kill

# Starting a server, and a cluster agreeing on its slots, take well under this on a busy box.
READY_SECONDS = 30.0


def _nodes_of(url: str) -> list[tuple[str, int]]:
    """host:port pairs of a bus URL."""
    rest = url.split("://", 1)[1]
    return [(h, int(p)) for h, _, p in (node.rpartition(":") for node in rest.split(","))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int, command: bytes, expected: bytes) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(command)
            return expected in conn.recv(4096)
    except OSError:
        return False


def _wait_until(check, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not check():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: redis-server exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready within {READY_SECONDS} s")
        time.sleep(0.05)  # polling a real server with a deadline: nothing else signals


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """What a crash looks like: gone at once, its connections reset."""
        self.process.kill()
        self.process.wait()


def redis_server_path() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise RuntimeError("redis-server is missing: run tests/ensure-system-packages.sh")
    return path


@contextmanager
def run_redis(
    directory: Path, *, port: int | None = None, cluster: bool = False
) -> Iterator[RedisServer]:
    """One redis-server on `port` (free if None), its files in `directory`, no persistence."""
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    args = [
        redis_server_path(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(directory),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--logfile", str(directory / "redis.log"),
    ]  # fmt: skip
    if cluster:
        args += [
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-port", str(free_port()),
            "--cluster-node-timeout", "5000",
        ]  # fmt: skip
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        _wait_until(lambda: _answers(port, b"PING\r\n", b"+PONG"), f"redis on {port}", process)
        yield RedisServer(port, process, directory)
    finally:
        if process.poll() is None:
            process.terminate()
            wait_or_kill(process, 10)


@dataclass
class RedisCluster:
    nodes: list[RedisServer]

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)


@contextmanager
def run_redis_cluster(directory: Path, *, size: int = 3) -> Iterator[RedisCluster]:
    """`size` redis-servers in cluster mode, made one cluster by `redis-cli --cluster create`
    (every node a primary holding a third of the slots, no replicas)."""
    with ExitStack() as stack:
        nodes = [
            stack.enter_context(run_redis(directory / f"node{n}", cluster=True))
            for n in range(size)
        ]
        subprocess.run(
            [
                shutil.which("redis-cli") or "redis-cli",
                "--cluster",
                "create",
                *(f"127.0.0.1:{node.port}" for node in nodes),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],  # fmt: skip
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            timeout=READY_SECONDS,
        )
        for node in nodes:
            _wait_until(
                lambda node=node: _answers(node.port, b"CLUSTER INFO\r\n", b"cluster_state:ok"),
                f"cluster node {node.port}",
            )
        yield RedisCluster(nodes)
