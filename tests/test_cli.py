"""`socialnet` as a production install runs it: the load tools' commands come from their entry
points and, when their package is missing, say in one line what to install; without pgserver and
without DATABASE_URL, a command that needs a database says so in one line.

Each command runs in a process of its own. A missing package is one that this process cannot
import: its name is set to None in sys.modules before `socialnet` starts (an import of it then
fails as it does where the package is not installed)."""

from __future__ import annotations

import os
import subprocess
import sys

from server.db.embedded import MISSING

MAIN_WITHOUT = (
    "import sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    sys.modules[name] = None\n"
    "from server.cli import main\n"
    "main(sys.argv[2:])\n"
)


def socialnet(*args: str, without: str = "", env: dict | None = None):
    command = [sys.executable, "-c", MAIN_WITHOUT, without, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_the_load_commands_come_from_their_entry_points():
    listed = socialnet("--help")
    assert listed.returncode == 0
    for command in ("seed", "load", "baseline"):
        assert f"    {command} " in listed.stdout
    load = socialnet("load", "--help")
    assert load.returncode == 0 and "{direct,feed,feed-live,group,idle}" in load.stdout


def test_without_the_load_tools_a_load_command_says_what_to_install():
    for args in (["load", "direct", "--users", "10"], ["seed", "--users", "5"], ["baseline"]):
        result = socialnet(*args, without="loadtest")
        assert result.returncode == 1
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"socialnet {args[0]}: not installed here (")
        assert lines[0].endswith("; pip install '.[load]'")


def test_without_the_load_tools_the_server_commands_still_parse_strictly():
    result = socialnet("migrate", "--bogus", without="loadtest")
    assert result.returncode == 2 and "unrecognized arguments: --bogus" in result.stderr


def test_without_pgserver_or_database_url_a_command_says_so_in_one_line(tmp_path):
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    # migrate meets it directly; serve inside its nurseries (an exception group).
    for args in (["migrate"], ["serve", "--port", "0"]):
        result = socialnet(*args, "--data-dir", str(tmp_path), without="pgserver", env=env)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [f"socialnet: {MISSING}"]


def test_a_setting_of_the_rate_limits_that_cannot_be_used_is_one_line():
    for name, value, says in (
        ("SOCIALNET_TRUSTED_PROXIES", "10.0.0.0/8,proxy.example", "'proxy.example' is not an"),
        ("SOCIALNET_RATE_LIMITS", "of", "must be on or off, not 'of'"),
    ):
        result = socialnet("migrate", env={**os.environ, name: value})
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"socialnet: {name}") and says in lines[0]


def _serve_config(argv: list[str], monkeypatch, workers_env: str | None = None):
    from server import cli

    if workers_env is None:
        monkeypatch.delenv("SOCIALNET_WORKERS", raising=False)
    else:
        monkeypatch.setenv("SOCIALNET_WORKERS", workers_env)
    return cli._config(cli._parser().parse_args(["serve", *argv]))


def test_serve_runs_one_worker_per_core_by_default(monkeypatch):
    from server.config import MAX_DEFAULT_WORKERS

    cores = len(os.sched_getaffinity(0))
    assert _serve_config([], monkeypatch).workers == min(cores, MAX_DEFAULT_WORKERS)
    assert _serve_config(["--workers", "3"], monkeypatch).workers == 3
    assert _serve_config([], monkeypatch, workers_env="5").workers == 5
    # A port the kernel picks would be a port per worker: one process then.
    assert _serve_config(["--port", "0"], monkeypatch).workers == 1


def test_the_log_level_comes_from_the_flag_or_the_environment_and_reaches_workers(monkeypatch):
    from server.workers import worker_command

    monkeypatch.delenv("SOCIALNET_LOG_LEVEL", raising=False)
    assert _serve_config([], monkeypatch).log_level == "info"
    config = _serve_config(["--log-level", "debug"], monkeypatch)
    assert config.log_level == "debug"
    assert worker_command(config, 0)[-2:] == ["--log-level", "debug"]
    monkeypatch.setenv("SOCIALNET_LOG_LEVEL", "WARNING")
    assert _serve_config([], monkeypatch).log_level == "warning"
