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
