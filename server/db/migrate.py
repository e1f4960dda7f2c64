"""Running Alembic from code: `socialnet migrate`, `socialnet serve` at start, and the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from server.config import REPO_ROOT

# Where alembic.ini and alembic/ are: a source checkout (or an editable install) has them beside
# the package; an installed package has them under <prefix>/share/socialnet (pyproject.toml's
# data-files), where the production image's non-editable install puts them.
MIGRATION_ROOTS = (REPO_ROOT, Path(sys.prefix) / "share" / "socialnet")


def migrations_root() -> Path:
    """The first directory of MIGRATION_ROOTS that holds alembic.ini and alembic/."""
    for root in MIGRATION_ROOTS:
        if (root / "alembic.ini").is_file() and (root / "alembic" / "env.py").is_file():
            return root
    tried = ", ".join(str(root) for root in MIGRATION_ROOTS)
    raise FileNotFoundError(f"no alembic.ini and alembic/ in {tried}: reinstall socialnet")


def sqlalchemy_url(database_url: str) -> str:
    """The asyncpg URL as SQLAlchemy spells it (`postgresql+asyncpg://`)."""
    scheme, sep, rest = database_url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {database_url!r}")
    return f"postgresql+asyncpg://{rest}"


def alembic_config(database_url: str) -> AlembicConfig:
    root = migrations_root()
    config = AlembicConfig(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    # '%' is Alembic's interpolation character; a password may contain it.
    config.set_main_option("socialnet.database_url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Blocking: call from a worker thread (trio.to_thread.run_sync) inside trio."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
