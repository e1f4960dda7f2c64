"""Startup failures as an operator meets them: the real command in a process of its own, and
for each failure one or two plain lines naming the thing and what to do, a non-zero exit, and
nothing started before the check that failed (server/preflight.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import pytest

from tests import postgres


def socialnet(*args: str, env: dict[str, str | None]) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SOCIALNET_CLIENT_DIR": ""}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def plain_failure(result: subprocess.CompletedProcess) -> str:
    """The failure's text, once it is checked to be one or two plain lines and status 1."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("socialnet: "), result.stderr
    return result.stderr


@contextmanager
def port_taken() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def free_port() -> int:
    """A port nothing listens on (bound for a moment, never listened on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_one_line_before_the_embedded_postgres_starts(tmp_path, workers):
    with port_taken() as port:
        result = socialnet(
            "serve",
            *("--port", str(port), "--workers", workers, "--data-dir", str(tmp_path)),
            env={"DATABASE_URL": None},
        )
    text = plain_failure(result)
    assert len(text.splitlines()) == 1  # with workers too: the supervisor says it, once
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in text
    assert "--port" in text
    assert not (tmp_path / "postgres").exists()  # no embedded Postgres was started


def test_a_database_url_that_is_not_one_is_one_line(tmp_path):
    for url, says in (
        ("garbage", "(the scheme must be postgresql://, not missing)"),
        ("mysql://root:hunter2@db/app", "(the scheme must be postgresql://, not mysql)"),
        ("postgresql://u:hunter2@db:port/app", "(Port could not be cast to integer value"),
    ):
        result = socialnet("serve", "--data-dir", str(tmp_path), env={"DATABASE_URL": url})
        text = plain_failure(result)
        assert "is not a PostgreSQL URL" in text and says in text
        assert "expected postgresql://user:password@host:port/database" in text
        assert "hunter2" not in text  # a password is never printed


def test_an_unreachable_database_is_one_line_naming_it(tmp_path):
    port = free_port()
    url = f"postgresql://someone:hunter2@127.0.0.1:{port}/app"
    for command in ("serve", "migrate"):
        result = socialnet(command, "--data-dir", str(tmp_path), env={"DATABASE_URL": url})
        text = plain_failure(result)
        assert f"cannot reach the database at postgresql://someone:***@127.0.0.1:{port}/app" in text
        assert "connection refused" in text and "fix DATABASE_URL" in text
        assert "hunter2" not in text


def test_a_database_that_does_not_exist_is_one_line(database_url, tmp_path):
    url = postgres.with_database(database_url, "socialnet_no_such_database")
    text = plain_failure(socialnet("migrate", env={"DATABASE_URL": url}))
    assert 'database "socialnet_no_such_database" does not exist' in text
    assert "createdb" in text


async def _stamp_unknown_revision(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        await conn.execute("INSERT INTO alembic_version VALUES ('from_a_newer_socialnet')")
    finally:
        await conn.close()


@pytest.fixture
def database_from_the_future() -> Iterator[str]:
    """A database stamped with a migration this code does not have."""
    name = f"socialnet_future_{os.getpid()}"
    url = postgres.create_database(name)
    postgres.in_thread(asyncio.run, _stamp_unknown_revision(url))
    yield url
    postgres.drop_database(name)


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--workers", "2"]])
def test_failing_migrations_are_one_line_and_serve_nothing(
    database_from_the_future, tmp_path, command
):
    port = str(free_port())
    args = [*command, "--data-dir", str(tmp_path)]
    if command[0] == "serve":
        args += ["--port", port]
    result = socialnet(*args, env={"DATABASE_URL": database_from_the_future})
    text = plain_failure(result)
    assert "the database migrations failed: Can't locate revision" in text
    assert "from_a_newer_socialnet" in text and "socialnet migrate" in text
    assert "serving on" not in result.stdout + text


def test_a_data_directory_that_cannot_be_used_is_one_line(database_url, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    data_dir = blocker / "data"
    result = socialnet(
        "serve", "--port", str(free_port()), "--data-dir", str(data_dir),
        env={"DATABASE_URL": database_url},
    )  # fmt: skip
    text = plain_failure(result)
    assert f"the data directory {data_dir} cannot be used (Not a directory)" in text
    assert "--data-dir" in text


def test_a_log_level_that_does_not_exist_is_one_line():
    text = plain_failure(socialnet("migrate", env={"SOCIALNET_LOG_LEVEL": "loud"}))
    assert "SOCIALNET_LOG_LEVEL must be one of debug, info, warning, error, not 'loud'" in text
