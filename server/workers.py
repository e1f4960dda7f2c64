"""`socialnet serve --workers N`: N server processes behind one port.

One process uses one core, and on a 2-core box the HTTP stack alone (hypercorn, Quart, the
trio/asyncio crossing) costs a few milliseconds of CPU per request, so one process saturates
long before the machine does (docs/benchmarks.md). Several processes share the work:

    supervisor                      this module: no HTTP, no sockets of its own
    ├─ embedded Postgres            started once (or DATABASE_URL), migrated once
    ├─ worker 0 … worker N-1        `socialnet serve --worker`: the whole server (service.py)
    └─ signals                      SIGINT/SIGTERM: every worker stops gracefully, then Postgres

Each worker binds the port with SO_REUSEPORT, so the kernel spreads new connections across them.
They already behave as one server: every event travels over the Postgres bus (realtime/bus.py),
so a socket on one worker hears what happens on another, and a logout on one ends the session
everywhere. A worker that dies (killed, out of memory) is started again after a short wait,
while the others serve: its sockets closed with it, and their clients reconnect to the port.
A worker that keeps dying soon after its start (QUICK_DEATHS_ALLOWED times in a row, each within
STABLE_SECONDS) is a crash loop, not an accident: then it takes the others down with it (exit
code 1), for a supervisor above (systemd, the container runtime) to see. And a supervisor that
dies, even by SIGKILL, takes its workers with it: their standard input is a pipe whose only
writer is the supervisor, so its death is end-of-file for them (the lifeline, read by
service.py), and no orphan keeps serving the port.
"""

from __future__ import annotations

import logging
import os
import sys

import trio

from server.config import Config
from server.db.database import apply_migrations, open_database_url
from server.signals import stop_on_signal

log = logging.getLogger("socialnet.workers")

# A worker has this long to finish its requests after SIGTERM before it is killed.
STOP_SECONDS = 10.0
# A worker that dies is started again after these waits (the n-th death in a row, the n-th).
RESTART_DELAYS = (0.5, 1, 2, 5, 10)
# A worker that ran less than this before it died died soon; this many such deaths in a row
# are a crash loop, and stop the server.
STABLE_SECONDS = 60.0
QUICK_DEATHS_ALLOWED = 3


class WorkerExited(Exception):
    def __init__(self, number: int, returncode: int):
        super().__init__(f"worker {number} exited with status {returncode}")
        self.returncode = returncode


def worker_command(config: Config, number: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "server.cli",
        "serve",
        "--workers",
        str(config.workers),
        "--worker",
        str(number),
        "--host",
        config.host,
        "--port",
        str(config.port),
        "--data-dir",
        str(config.data_dir),
        "--log-format",
        config.log_format,
        "--log-level",
        config.log_level,
    ]


async def _stop_gracefully(process: trio.Process) -> None:
    process.terminate()
    with trio.move_on_after(STOP_SECONDS):
        await process.wait()
        return
    process.kill()


class Supervisor:
    def __init__(self, config: Config):
        self.config = config
        # Set once a signal arrived: from then on a worker that exits is doing as it was told
        # (Ctrl-C reaches the whole process group, so workers may stop before we ask them to).
        self.stopping = False

    async def run_worker(self, number: int, env: dict[str, str], lifeline: int) -> None:
        """Run worker `number`, and again whenever it dies, until the server stops; raise
        WorkerExited when it keeps dying soon after it starts."""
        quick_deaths = 0
        while True:
            started = trio.current_time()
            result = await trio.run_process(
                worker_command(self.config, number),
                env=env,
                stdin=lifeline,
                check=False,
                deliver_cancel=_stop_gracefully,
            )
            if self.stopping:
                return
            soon = trio.current_time() - started < STABLE_SECONDS
            quick_deaths = quick_deaths + 1 if soon else 0
            if quick_deaths >= QUICK_DEATHS_ALLOWED:
                raise WorkerExited(number, result.returncode)
            delay = RESTART_DELAYS[min(quick_deaths, len(RESTART_DELAYS) - 1)]
            log.error(
                "worker %d exited with status %d; starting it again in %ss",
                number,
                result.returncode,
                delay,
                extra={"fields": {"worker_exited": number, "status": result.returncode}},
            )
            await trio.sleep(delay)

    async def until_signal(self) -> None:
        await stop_on_signal(trio.Event())
        self.stopping = True


async def supervise(config: Config) -> int:
    """Run `config.workers` server processes (each started again when it dies) until a signal
    (0) or until one keeps dying (1)."""
    supervisor = Supervisor(config)
    async with open_database_url(config) as url:
        await apply_migrations(url)
        # The workers join this database as they would any external one: no embedded server
        # of their own, and no migrations (`--worker` implies none: they ran once, above).
        env = {**os.environ, "DATABASE_URL": url}
        log.info(
            "starting %d workers on http://%s:%d",
            config.workers,
            config.host,
            config.port,
            extra={"fields": {"workers": config.workers}},
        )
        failures: list[WorkerExited] = []
        lifeline, lifeline_writer = os.pipe()  # the writer end stays here, never written
        try:
            async with trio.open_nursery() as nursery:
                for number in range(config.workers):
                    nursery.start_soon(supervisor.run_worker, number, env, lifeline)
                await supervisor.until_signal()
                nursery.cancel_scope.cancel()
        except* WorkerExited as group:
            failures.extend(group.exceptions)
        finally:
            os.close(lifeline)
            os.close(lifeline_writer)
    for failure in failures:
        log.error("%s, again soon after its start; stopped the others", failure)
    log.info("stopped")
    return 1 if failures else 0
