"""What `socialnet serve` checks before it starts anything: each failure is one plain line that
names the thing and what to do (StartupError), and a non-zero exit, never a traceback.

The order matters: the port and the data directory are checked before the embedded Postgres
starts (seconds of work, and a server to stop again); DATABASE_URL's form before anything
connects. With `--workers N` the supervisor checks once, before starting its workers
(server/workers.py), so a failure is reported once, not once per worker.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from pathlib import Path


class StartupError(Exception):
    """The server cannot start; the command line prints the message alone (server/cli.py)."""


def bind_problem(host: str, port: int, error: OSError) -> str:
    """What a failed bind of `host:port` means, and what to do about it."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use (another server?); "
            "stop it, or choose another port with --port"
        )
    if error.errno == errno.EACCES:
        return (
            f"cannot listen on {where}: permission denied (ports below 1024 need privileges); "
            "choose a port above 1023 with --port"
        )
    if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(
        error, socket.gaierror
    ):
        return (
            f"cannot listen on {where}: {host!r} is not an address of this machine "
            f"({error.strerror or error}); choose another with --host"
        )
    return f"cannot listen on {where}: {error.strerror or error}"


def check_port(host: str, port: int) -> None:
    """Bind `host:port` as hypercorn will (server/http/hypercorn_worker.py), then let it go.

    Without SO_REUSEPORT on purpose: a server already listening there, even one of our own
    workers' (which bind with it), makes this bind fail, so two servers never share a port by
    accident. Port 0 (the kernel picks) needs no check."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As hypercorn does: a port whose last connections linger in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise StartupError(bind_problem(host, port, error)) from None


def check_data_dir(path: Path) -> None:
    """The data directory exists (made if missing) and this process can write to it: uploads
    go to its media/, the embedded Postgres to its postgres/."""
    advice = "choose another with --data-dir or SOCIALNET_DATA_DIR, or fix its permissions"
    try:
        path.mkdir(parents=True, exist_ok=True)
        (path / "media").mkdir(exist_ok=True)
        with tempfile.TemporaryFile(dir=path / "media"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise StartupError(
            f"the data directory {path} cannot be used ({reason}): {advice}"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(f"the data directory {path} is not writable: {advice}")
