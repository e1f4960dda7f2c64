"""`socialnet load` as a load tester runs it: options with their defaults, bad arguments and an
unreachable server refused at once, progress in a pipe, and a report that says what ran,
against what, and which target held."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import pytest
import trio
import trio_asyncio

from loadtest.driver import SimUser, run_load
from loadtest.seed import SeedPlan, run_seed
from loadtest.sessions_file import write_sessions
from loadtest.stats import RunFacts, Targets, format_table, to_json
from server.config import product_version


def socialnet(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("command", ["seed", "load", "baseline"])
def test_every_option_is_explained_with_its_default(command):
    result = socialnet(command, "--help")
    assert result.returncode == 0
    options = result.stdout.split("options:", 1)[1]
    # Each option's entry: from its flag to the next flag (help text may wrap).
    entries = re.split(r"\n  (?=-)", options.strip())
    for entry in entries:
        if entry.startswith("-h, --help") or "--users" in entry and command == "seed":
            continue
        assert "(default: " in entry, entry


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--users", "0"], "--users: must be 1 or more, not 0"),
        (["--rate", "-5"], "--rate: must be more than 0, not -5"),
        (["--duration", "0"], "--duration: must be more than 0, not 0"),
        (["--ramp-up", "-1"], "--ramp-up: must be 0 or more, not -1"),
        (["--rate", "nan"], "--rate: must be more than 0, not nan"),
    ],
)
def test_bad_arguments_are_argparse_errors(args, says):
    result = socialnet("load", "direct", *args)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_server_is_one_line_naming_the_url_and_why(tmp_path):
    sessions = tmp_path / "sessions.json"
    write_sessions(sessions, [{"user_id": 1, "email": "a@load.test", "token": "t"}] * 2)
    url = f"http://127.0.0.1:{free_port()}"
    result = socialnet("load", "direct", "--users", "2", "--url", url, "--sessions", str(sessions))
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"socialnet load: cannot start: {url}/api/health: ")
    assert line.endswith("Connection refused (is the server running there?)")


@pytest.mark.parametrize("command", [["load", "direct"], ["baseline"]])
@pytest.mark.parametrize("contents", [None, "not json", '{"no": "users"}'])
def test_a_missing_or_foreign_sessions_file_is_one_line_saying_to_seed(tmp_path, command, contents):
    sessions = tmp_path / "sessions.json"
    if contents is not None:
        sessions.write_text(contents)
    port = ["--port", str(free_port())] if command == ["baseline"] else []
    result = socialnet(*command, "--sessions", str(sessions), *port)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"socialnet {command[0]}: cannot start: "), line
    assert str(sessions) in line and "run `socialnet seed --users N" in line


@pytest.fixture
async def seeded(server) -> list[SimUser]:
    async with trio_asyncio.open_loop():
        created = await trio_asyncio.aio_as_trio(run_seed)(
            server.config.database_url, SeedPlan(users=6, posts=30, groups=1)
        )
    return [SimUser(n, user["user_id"], user["token"]) for n, user in enumerate(created)]


async def test_a_piped_run_prints_plain_progress_lines_and_a_whole_report(server, seeded, tmp_path):
    sessions = tmp_path / "sessions.json"
    write_sessions(sessions, [{"user_id": u.user_id, "token": u.token} for u in seeded])
    report = tmp_path / "report.json"
    args = ["load", "direct", "--url", server.url, "--users", "6", "--rate", "20"]
    args += ["--duration", "1", "--sessions", str(sessions), "--json", str(report)]
    # The report is under test, not the machine's speed: a target any machine meets.
    args += ["--progress-every", "0.2", "--p99-ms", "10000"]
    with trio.fail_after(60):
        result = await trio.run_process(
            [sys.executable, "-m", "server.cli", *args],
            capture_stdout=True,
            capture_stderr=True,
            check=False,
        )
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    assert "\r" not in stderr
    progress = stderr.splitlines()
    assert len(progress) >= 2 and all(re.match(r" *\d+\.\ds  connected 6 ", p) for p in progress)

    table = result.stdout.decode()
    assert f"url             {server.url}" in table
    assert f"server version  {product_version()}" in table
    assert "target          PASS  p99 latency <= 10000 ms" in table
    assert "delivered       20 of 20 owed" in table

    data = json.loads(report.read_text())
    assert (data["scenario"], data["url"], data["version"]) == (
        "direct",
        server.url,
        product_version(),
    )
    assert data["started_at"].endswith("+00:00") and data["passed"] is True
    assert {t["name"] for t in data["targets"]} == {
        "users connected", "sockets dropped", "deliveries lost", "sends refused", "p99 latency",
    }  # fmt: skip
    assert all(t["held"] for t in data["targets"]) and data["errors"] == {}
    assert sum(s["sent"] for s in data["series"]) == data["sent"] == 20
    assert sum(s["delivered"] for s in data["series"]) == 20
    assert all(s["p99_ms"] is not None for s in data["series"] if s["delivered"])


async def test_a_ramp_up_connects_gradually_and_grows_the_rate(server, seeded):
    stats, _ = await run_load(
        "direct", server.url, seeded, rate=20, duration=0.5, ramp_up=1.0, progress=False
    )
    # 20/s growing from 0 over 1 s is 10 messages, then 10 more in the half second at 20/s;
    # those due before a pair of users has connected are not sent (no one to send them).
    assert 15 <= stats.sent <= 20 and stats.delivered == stats.expected == stats.sent
    assert stats.connected == 6 and stats.ramp_up == 1.0
    assert Targets().failures(stats) == []
    first, *_ = sorted(stats.series)
    assert stats.series[first].sent < 10  # the first second is the slow part of the ramp


async def test_failures_are_counted_by_reason(server, seeded):
    impostor = SimUser(99, 99_999, "not-a-session")
    stats, _ = await run_load(
        "idle", server.url, [*seeded[:2], impostor], rate=1, duration=0.1, progress=False
    )
    assert stats.connected == 2 and stats.connect_failures == 1
    assert dict(stats.errors) == {"connect: HTTP 401": 1}
    assert Targets().failures(stats) == ["1 users could not connect"]


async def test_the_feed_is_reported_in_http_words(server, seeded):
    stats, extra = await run_load("feed", server.url, seeded, rate=20, duration=0.5, progress=False)
    facts = RunFacts(url=server.url, version="9.9", started_at="2026-12-01T00:00:00+00:00")
    extra = {**extra, "server_rss_kib": {"before": 81920, "connected": 92160}}
    extra["server_kib_per_socket"] = 1706.7
    table = format_table(stats, Targets(p99_ms=50), facts, extra)
    assert "requests        10" in table and "responses       10 ok, 0 errors" in table
    assert "delivered" not in table and "sent " not in table
    assert "target          PASS  requests failed <= 0: 0" in table
    assert "server memory   80.0 MiB before, 90.0 MiB connected (1706.7 KiB per socket)" in table
    data = json.loads(to_json(stats, Targets(p99_ms=50), facts, extra))
    assert {t["name"] for t in data["targets"]} >= {"requests failed", "error answers"}
