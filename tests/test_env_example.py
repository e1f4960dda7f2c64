"""`.env.example` names every setting the server reads, as the README's configuration table
does: the three lists are read from the files themselves and must be equal."""

from __future__ import annotations

import re

from server.config import REPO_ROOT

SETTING = re.compile(r"\b(DATABASE_URL|SOCIALNET_[A-Z0-9_]*[A-Z0-9])\b")


def read_by_the_server() -> set[str]:
    """Every setting name written in the server's code (the environment is read by name)."""
    names = set()
    for path in (REPO_ROOT / "server").rglob("*.py"):
        names.update(SETTING.findall(path.read_text()))
    return names


def in_env_example() -> set[str]:
    """Settings given a value in .env.example, or shown commented out (`# NAME=value`)."""
    text = (REPO_ROOT / ".env.example").read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def in_readme_table() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n\n| Variable |", 1)[1]
    table = table.split("\n\n", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", table, re.MULTILINE))


def test_env_example_the_readme_and_the_code_name_the_same_settings():
    code = read_by_the_server()
    assert in_env_example() == code
    assert in_readme_table() == code


def test_every_setting_in_env_example_has_a_comment_above_it():
    lines = (REPO_ROOT / ".env.example").read_text().splitlines()
    for n, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert lines[n - 1].startswith("#"), line
