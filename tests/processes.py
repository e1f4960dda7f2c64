"""Real processes the tests start (a server, redis-server, the OpenID provider): how they end."""

from __future__ import annotations

import subprocess


def wait_or_kill(process: subprocess.Popen, timeout: float) -> None:
    """Wait up to `timeout` seconds for a process asked to stop, then kill it."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
