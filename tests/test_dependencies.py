"""Runtime and tools apart, in code. The production image installs the base dependencies of
pyproject.toml and nothing else, so what `server/` imports (and the migrations it runs) must come
from them; the load tools (`loadtest/`) may add the `load` extra. An optional package is allowed
in one place only, imported lazily: pgserver (the `embedded` extra) in server/db/embedded.py."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

from server.config import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
# Optional imports allowed under the package checked: file -> {module: the extra providing it}.
LAZY_EXTRAS = {"server/db/embedded.py": {"pgserver": "embedded"}}
MODULE_DISTRIBUTIONS = packages_distributions()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions(requirements: list[str]) -> set[str]:
    """The distributions named by requirements, without the project's own (`socialnet[load]`)."""
    names = {canonical(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}
    return names - {canonical(PROJECT["name"])}


BASE = distributions(PROJECT["dependencies"])
EXTRAS = {extra: distributions(reqs) for extra, reqs in PROJECT["optional-dependencies"].items()}


def imports(path: Path) -> Iterator[tuple[str, bool]]:
    """Each top-level module `path` imports, and whether inside a function (lazily)."""
    tree = ast.parse(path.read_text(), str(path))
    in_functions = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name.partition(".")[0], id(node) in in_functions


def imported_distributions(module: str) -> set[str]:
    return {canonical(name) for name in MODULE_DISTRIBUTIONS.get(module, [module])}


def undeclared(root: Path, package: str, allowed: set[str], own: set[str]) -> list[str]:
    """`file: module (distribution)` for each import under root/package outside `allowed`."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        name = path.relative_to(root).as_posix()
        for module, lazy in imports(path):
            if module in sys.stdlib_module_names or module in own:
                continue
            provided = imported_distributions(module)
            extra = LAZY_EXTRAS.get(name, {}).get(module)
            if provided & allowed or (lazy and extra and provided & EXTRAS[extra]):
                continue
            found.append(f"{name}: {module} ({', '.join(sorted(provided))})")
    return found


def test_the_server_imports_only_its_base_dependencies():
    for package in ("server", "alembic"):
        assert undeclared(REPO_ROOT, package, BASE, own={"server"}) == []


def test_every_base_dependency_is_imported_by_the_server():
    used = {
        distribution
        for package in ("server", "alembic")
        for path in (REPO_ROOT / package).rglob("*.py")
        for module, _ in imports(path)
        for distribution in imported_distributions(module)
    }
    assert BASE - used == set()


def test_the_load_tools_need_only_the_base_and_the_load_extra():
    allowed = BASE | EXTRAS["load"]
    assert undeclared(REPO_ROOT, "loadtest", allowed, own={"server", "loadtest"}) == []


def test_pgserver_is_the_embedded_extra_and_the_test_extra_holds_the_others():
    assert EXTRAS["embedded"] == {"pgserver"} and "pgserver" not in BASE
    assert "socialnet[load,embedded]" in PROJECT["optional-dependencies"]["test"]


def test_the_check_finds_tools_and_eager_optional_imports(tmp_path):
    """The check itself: a test tool, the load tools, and pgserver imported at module level
    (or anywhere but server/db/embedded.py) are each reported."""
    (tmp_path / "server" / "db").mkdir(parents=True)
    (tmp_path / "server" / "tools.py").write_text(
        "import playwright\nfrom loadtest.driver import run_load\n\ndef f():\n    import pgserver\n"
    )
    (tmp_path / "server" / "db" / "embedded.py").write_text("import pgserver\n")
    assert undeclared(tmp_path, "server", BASE, own={"server"}) == [
        "server/db/embedded.py: pgserver (pgserver)",
        "server/tools.py: playwright (playwright)",
        "server/tools.py: loadtest (socialnet)",
        "server/tools.py: pgserver (pgserver)",
    ]
