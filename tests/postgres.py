"""The tests' Postgres: DATABASE_URL's server when set, else an embedded one under .data/.

Each pytest run gets a database of its own, migrated once; every test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from server.config import REPO_ROOT
from server.db import migrate
from server.db.embedded import start_embedded_postgres
from server.db.schema import metadata

TEST_POSTGRES_DIR = REPO_ROOT / ".data" / "test-postgres"


def server_url() -> str:
    """A URL to a maintenance database on the test Postgres server."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return start_embedded_postgres(TEST_POSTGRES_DIR).get_uri()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def in_thread(fn, *args):
    """Run blocking database set-up in a thread of its own: the caller may already be inside an
    event loop (Playwright's sync API runs one), where asyncio.run() is not allowed."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(fn, *args).result()


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def create_database(name: str) -> str:
    """A fresh, empty database called `name`; its URL."""
    admin = server_url()
    statements = (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    in_thread(asyncio.run, _admin(admin, *statements))
    return with_database(admin, name)


def drop_database(name: str) -> None:
    in_thread(asyncio.run, _admin(server_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def create_migrated_database(name: str) -> str:
    url = create_database(name)
    in_thread(migrate.upgrade, url)
    return url


TRUNCATE_ALL = "TRUNCATE {} RESTART IDENTITY CASCADE".format(
    ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
)


def truncate_all(url: str) -> None:
    in_thread(asyncio.run, _admin(url, TRUNCATE_ALL))


async def fetch(url: str, sql: str, *args):
    """One query on a connection of its own, from asyncio (call through trio_asyncio)."""
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()
