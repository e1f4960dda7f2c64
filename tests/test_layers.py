"""Layers run one way (ARCHITECTURE.md): each layer of `server` imports only the layers below it,
so the house reads bottom-up and a change to the bus or the web framework stays in its room.

    process      cli, service (the composition root), workers, admin, apidocs
    interfaces   http/   realtime/        (neither imports the other)
    rules        domain/
    data         db/
    leaves       events, shapes, schema, errors, config, origins, wire, periodic, addresses,
                 ratelimit, media, gif, mail, identity_providers, preflight, metrics, logs,
                 signals, gc_tuning

The rule is read from the code itself: every import statement of every module, wherever it
stands (a function body, an `if TYPE_CHECKING:` block).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.config import REPO_ROOT

SERVER = REPO_ROOT / "server"

# Layer of each part of the package, by module name prefix; higher imports lower.
LAYERS = {
    "server": 0,
    "server.cli": 4,
    "server.__main__": 4,
    "server.service": 4,
    "server.workers": 4,
    "server.admin": 4,
    "server.apidocs": 4,
    "server.http": 3,
    "server.realtime": 3,
    "server.domain": 2,
    "server.db": 1,
    "server.events": 0,
    "server.schema": 0,
    "server.shapes": 0,
    "server.errors": 0,
    "server.config": 0,
    "server.origins": 0,
    "server.periodic": 0,
    "server.wire": 0,
    "server.addresses": 0,
    "server.ratelimit": 0,
    "server.media": 0,
    "server.gif": 0,
    "server.mail": 0,
    "server.identity_providers": 0,
    "server.logs": 0,
    "server.signals": 0,
    "server.gc_tuning": 0,
    "server.preflight": 0,
    "server.metrics": 0,
}
# Two parts of one layer that must not import each other.
SIBLINGS_APART = {"server.http", "server.realtime"}


def part_of(module: str) -> str | None:
    """The LAYERS key `module` belongs to (the longest matching prefix), or None."""
    matches = [
        key for key in LAYERS if module == key or (key != "server" and module.startswith(key + "."))
    ]
    return max(matches, key=len) if matches else None


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool) -> set[str]:
    """Every `server...` module the source imports (`from server import x` counts as x)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "server" or name.startswith("server.")}


def upward_imports(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The imports of `module` that break the rule, as readable lines."""
    mine = part_of(module)
    assert mine is not None, f"{module} belongs to no layer: add it to LAYERS"
    problems = []
    for target in sorted(imported_modules(source, module, is_package=is_package)):
        theirs = part_of(target)
        if theirs is None or theirs == mine:
            continue
        if LAYERS[theirs] > LAYERS[mine] or {mine, theirs} <= SIBLINGS_APART:
            problems.append(f"{module} imports {target}")
    return problems


def server_modules() -> list[Path]:
    return sorted(SERVER.rglob("*.py"))


@pytest.mark.parametrize("path", server_modules(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_module_imports_only_layers_below_its_own(path: Path):
    module = module_name(path)
    assert upward_imports(path.read_text(), module, is_package=path.name == "__init__.py") == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("server.db.posts", "from server.domain import posts"),
        ("server.domain.chat", "from server.realtime import bus"),
        ("server.domain.chat", "import server.http.context"),
        ("server.realtime.endpoint", "from server.http.guards import check_origin"),
        ("server.http.chats", "from server.realtime.router import Router"),
        ("server.shapes", "from server.db.users import User"),
        ("server.db.users", "def f():\n    from server import service"),
        ("server.domain.groups", "from ..realtime import bus"),
    ],
)
def test_an_upward_import_is_caught(module: str, source: str):
    assert upward_imports(source, module) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("server.domain.chat", "from server.db import messages\nfrom server import events"),
        ("server.realtime.router", "from server.shapes import conversation"),
        ("server.service", "from server.http.app import create_app"),
        ("server.db.media", "from server.media import StoredImage"),
        ("server.domain.chat", "from . import groups"),
    ],
)
def test_a_downward_or_sideways_import_within_a_part_passes(module: str, source: str):
    assert upward_imports(source, module) == []
