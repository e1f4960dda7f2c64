"""The embedded Postgres (pgserver) used when DATABASE_URL is unset.

Postgres refuses to run as root, so under root pgserver creates a `pgserver` system user, runs the
server as that user, and opens read/execute permission on the data directory's parents.
Kept apart from the trio bridge so that tools without trio-asyncio (the browser tests) can use it.
pgserver is the `embedded` extra, not a base dependency: the production image always has an
external Postgres and ships without its 34 MB of binaries.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from server.preflight import StartupError

MISSING = (
    "DATABASE_URL is unset and the embedded Postgres (pgserver) is not installed: "
    "pip install '.[embedded]', or set DATABASE_URL"
)


class EmbeddedPostgresMissing(StartupError):
    """No DATABASE_URL and no pgserver: the command line prints the message alone."""


def start_embedded_postgres(directory: Path):
    """Blocking: initdb on first use, then start (or join) the server in `directory`."""
    with warnings.catch_warnings():
        # platformdirs warns about XDG_RUNTIME_DIR on servers; pgserver does not use that dir.
        warnings.simplefilter("ignore")
        try:
            import pgserver  # imported lazily: only needed without DATABASE_URL
        except ModuleNotFoundError as error:
            if error.name != "pgserver":
                raise  # pgserver is there but broken: its own error says more
            raise EmbeddedPostgresMissing(MISSING) from None

    directory.parent.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(directory.resolve(), cleanup_mode="stop")


def postgres_is_running(server) -> bool:
    """Blocking: whether the embedded server's postmaster is alive (read afresh from its
    postmaster.pid, not from what pgserver remembers)."""
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(server.pgdata)
    return info is not None and info.is_running()


def restart_postgres(server) -> None:
    """Blocking: start the embedded server again in its directory (its data is kept). pgserver
    expects its inter-process lock to be held around a start, as get_server does."""
    with server._lock:
        server.ensure_postgres_running()
