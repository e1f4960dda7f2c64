"""Running Alembic from code: `socialnet migrate`, `socialnet serve` at start, and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from server.config import REPO_ROOT


def sqlalchemy_url(database_url: str) -> str:
    """The asyncpg URL as SQLAlchemy spells it (`postgresql+asyncpg://`)."""
    scheme, sep, rest = database_url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {database_url!r}")
    return f"postgresql+asyncpg://{rest}"


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    # '%' is Alembic's interpolation character; a password may contain it.
    config.set_main_option("socialnet.database_url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Blocking: call from a worker thread (trio.to_thread.run_sync) inside trio."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
