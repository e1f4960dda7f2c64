"""The lock (uv.lock) agrees with pyproject.toml, and its exports (requirements/*.txt, what pip
installs in `make` and in the backend image, with hashes) agree with the lock. `make lock`
makes them; these tests are `make lock-check`, part of `make lint`. The exports are compared
without an index; `uv lock --check` may ask PyPI about a requirement the lock does not hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from server.config import REPO_ROOT

UV = Path(sys.executable).parent / "uv"
EXPORTS = {"base": [], "embedded": ["--extra", "embedded"], "test": ["--extra", "test"]}


def uv(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(UV), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def without_header(text: str) -> list[str]:
    """The requirement lines (the header names the command that wrote the file)."""
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return lines


def test_the_lock_satisfies_pyproject():
    result = uv("lock", "--check")
    assert result.returncode == 0, result.stderr + "\nrun `make lock`"


def test_a_dependency_added_to_pyproject_but_not_locked_fails_the_check(tmp_path):
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace('"email-validator>=2.2",', '"email-validator>=2.2",\n    "six",')
    )
    result = uv("lock", "--check", cwd=tmp_path)
    assert result.returncode != 0
    assert "needs to be updated" in result.stderr, result.stderr


@pytest.mark.parametrize("extra", sorted(EXPORTS))
def test_each_export_is_the_lock_as_it_is(extra, tmp_path):
    exported = tmp_path / f"{extra}.txt"
    result = uv(
        "export", "--frozen", "--no-emit-project", "--no-dev", "--quiet", *EXPORTS[extra],
        "--output-file", str(exported),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    committed = (REPO_ROOT / "requirements" / f"{extra}.txt").read_text()
    assert without_header(committed) == without_header(exported.read_text()), "run `make lock`"
    pins = [line for line in without_header(committed) if line and line[0].isalnum()]
    assert pins and all("==" in pin for pin in pins)
    assert "--hash=sha256:" in committed


def test_the_build_backend_is_pinned_within_pyproject_s_build_requirements():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    pinned = {
        line.split("==")[0].lower(): line.split("==")[1].split()[0]
        for line in without_header((REPO_ROOT / "requirements" / "build.txt").read_text())
        if "==" in line
    }
    for text in pyproject["build-system"]["requires"]:
        requirement = Requirement(text)
        assert requirement.specifier.contains(pinned[requirement.name.lower()]), text
