"""Alembic environment: migrations run on SQLAlchemy's asyncpg dialect in their own event loop.

`server.db.migrate` calls Alembic from a worker thread, so `asyncio.run` here never meets the
trio-asyncio loop of the serving process.
"""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from server.db.migrate import sqlalchemy_url
from server.db.schema import metadata

config = context.config


def run_migrations_offline() -> None:
    context.configure(
        url=sqlalchemy_url(config.get_main_option("socialnet.database_url")),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# Any constant: the key of the advisory lock that serialises migrations.
MIGRATION_LOCK_KEY = 7_311_205


def _run_sync(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        # Two processes starting at once on a fresh database (two servers, or a server and
        # `socialnet seed`) would both create the schema; the second waits here, then finds
        # the database at head and has nothing to do.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(sqlalchemy_url(config.get_main_option("socialnet.database_url")))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
