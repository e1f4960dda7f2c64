"""Hosts on one machine: Linux network namespaces joined by veth pairs to a bridge that lives in a
namespace of its own, so that every address exists only inside namespaces the test made and the
machine's own network is never touched. Everything is removed on exit, failure or not."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

CLONE_NEWNET = 0x40000000
SUBNET_PREFIX = 24


def ip_command() -> str | None:
    return shutil.which("ip") or ("/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else None)


NOT_ROOT = "network namespaces need root (ip netns add); this run is not root"


def cannot_make_namespaces() -> str | None:
    """Why this machine cannot build hosts as network namespaces, or None when it can."""
    if os.geteuid() != 0:
        return NOT_ROOT
    ip = ip_command()
    if ip is None:
        return "`ip` (iproute2) is not installed: run tests/ensure-system-packages.sh"
    probe = f"socialnet-probe-{os.getpid()}"
    made = subprocess.run([ip, "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` is refused here: {made.stderr.strip()}"
    subprocess.run([ip, "netns", "delete", probe], capture_output=True)
    return None


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)


@dataclass
class Host:
    name: str  # the namespace
    address: str

    def command(self, *args: str) -> list[str]:
        """`args` run inside this host."""
        return [ip_command() or "ip", "netns", "exec", self.name, *args]


@contextmanager
def open_network(prefix: str, hosts: dict[str, str]) -> Iterator[dict[str, Host]]:
    """A namespace per host (name -> address), all on one bridge; removed on exit."""
    ip = ip_command() or "ip"
    switch = f"{prefix}-switch"
    made: list[str] = []
    try:
        run(ip, "netns", "add", switch)
        made.append(switch)
        run(ip, "-n", switch, "link", "add", "br0", "type", "bridge")
        run(ip, "-n", switch, "link", "set", "br0", "up")
        result = {}
        for index, (name, address) in enumerate(hosts.items()):
            namespace = f"{prefix}-{name}"
            run(ip, "netns", "add", namespace)
            made.append(namespace)
            port = f"p{index}"
            run(ip, "-n", switch, "link", "add", port, "type", "veth", "peer", "eth0", "netns",
                namespace)  # fmt: skip
            run(ip, "-n", switch, "link", "set", port, "master", "br0")
            run(ip, "-n", switch, "link", "set", port, "up")
            run(ip, "-n", namespace, "addr", "add", f"{address}/{SUBNET_PREFIX}", "dev", "eth0")
            run(ip, "-n", namespace, "link", "set", "eth0", "up")
            run(ip, "-n", namespace, "link", "set", "lo", "up")
            result[name] = Host(namespace, address)
        yield result
    finally:
        for namespace in reversed(made):
            subprocess.run([ip, "netns", "delete", namespace], capture_output=True)


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


@contextmanager
def inside(host: Host) -> Iterator[None]:
    """This thread's new sockets belong to `host`'s network (a namespace is per thread; trio
    runs the test in this one); back to the machine's own on exit."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{host.name}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)
