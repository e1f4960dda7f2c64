"""The Alembic head is exactly server/db/schema.py, and the history runs both ways."""

from __future__ import annotations

import asyncio
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from server.db import migrate
from server.db.schema import metadata
from tests import postgres


async def _inspect(url: str, inspector):
    engine = create_async_engine(migrate.sqlalchemy_url(url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(inspector)
    finally:
        await engine.dispose()


def differences(url: str) -> list:
    def compare(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    return asyncio.run(_inspect(url, compare))


def table_names(url: str) -> set[str]:
    def names(connection):
        rows = connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        return {row[0] for row in rows}

    return asyncio.run(_inspect(url, names))


@pytest.fixture
def scratch_url():
    name = f"socialnet_migrations_{os.getpid()}"
    yield postgres.create_database(name)
    postgres.drop_database(name)


def test_head_equals_the_schema_metadata(scratch_url):
    migrate.upgrade(scratch_url)
    assert differences(scratch_url) == []
    assert set(metadata.tables) <= table_names(scratch_url)


def test_downgrade_to_base_and_upgrade_again(scratch_url):
    migrate.upgrade(scratch_url)
    migrate.downgrade(scratch_url, "base")
    assert table_names(scratch_url) == {"alembic_version"}
    migrate.upgrade(scratch_url)
    assert differences(scratch_url) == []


def test_the_schema_holds_every_part_of_the_product():
    expected = {
        "users", "sessions", "media", "follows", "follow_requests", "posts", "post_viewers",
        "comments", "groups", "group_members", "group_invitations", "group_join_requests",
        "events", "event_responses", "messages", "direct_read_markers", "notifications",
        "post_reactions", "comment_reactions", "blocks",
        "login_failures", "address_budgets", "password_resets", "user_identities",
        "oidc_logins",
    }  # fmt: skip
    assert expected == set(metadata.tables)
