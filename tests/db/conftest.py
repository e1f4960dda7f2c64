"""The database layer's fixture: a pool of its own on the test database, inside a trio-asyncio
loop, without a server."""

from __future__ import annotations

import pytest
import trio_asyncio

from server.db.database import open_pool


@pytest.fixture
async def db(database_url):
    async with trio_asyncio.open_loop():
        async with open_pool(database_url, size=2) as pool:
            yield pool
