"""Running `socialnet serve` as a child process, for tests that need the real command."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import wait_or_kill

SERVING = re.compile(r"serving on (http://\S+)")


@contextmanager
def serve_process(
    database_url: str,
    data_dir: Path,
    *,
    client_dir: Path | None = None,
    rate_limits: bool = False,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    port: int = 0,
) -> Iterator[str]:
    """Start the server on a free port (or `port`); yield its URL; stop it with SIGTERM. Its
    per-address rate limits are off unless asked for: the browser tests register many people
    from 127.0.0.1, as the server suite does. `env`: more environment variables
    (SOCIALNET_SMTP_URL, say)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SOCIALNET_CLIENT_DIR": str(client_dir) if client_dir else "",
        "SOCIALNET_RATE_LIMITS": "on" if rate_limits else "off",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        for line in process.stderr:
            log.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError("server exited before serving:\n" + "".join(log))
            if match := SERVING.search(line):
                break
        yield match.group(1)
    finally:
        process.terminate()
        wait_or_kill(process, 15)
        # Shown by pytest when a test failed: what the server said while it ran.
        sys.stderr.write("".join(log))
