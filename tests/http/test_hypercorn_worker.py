"""The patched hypercorn worker (server/http/hypercorn_worker.py): it stays the patch of the
hypercorn that is installed."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

from server.http.hypercorn_worker import HYPERCORN_VERSION

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def test_the_installed_hypercorn_is_the_one_the_patch_was_written_against():
    installed = importlib.metadata.version("hypercorn")
    assert installed == HYPERCORN_VERSION, (
        f"hypercorn {installed} is installed, but server/http/hypercorn_worker.py patches "
        f"hypercorn {HYPERCORN_VERSION}. Re-read the upstream files its docstring names in "
        f"hypercorn {installed}, update the patch and its list of deviations, then "
        "HYPERCORN_VERSION and the pin in pyproject.toml."
    )


def test_pyproject_pins_that_hypercorn():
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert f"hypercorn=={HYPERCORN_VERSION}" in dependencies
