"""The data export as it is made (server/domain/account_data.py): streamed, one per user at a
time. Called directly beside a running server (the same trio run, so the same process state),
so a test holds an export under way exactly as long as it likes."""

from __future__ import annotations

import gc
import io
import json
import zipfile

import pytest
import trio_asyncio

from server.db.database import open_pool
from server.domain.account_data import export_account
from server.errors import RateLimited
from tests import images
from tests.http.test_posts import post


@pytest.fixture
async def pool(server):
    async with trio_asyncio.open_loop():
        async with open_pool(server.config.database_url, size=2) as pool:
            yield pool


async def export(pool, server, persona):
    return await export_account(pool, server.config.media_dir, persona.id)


async def read_all(chunks) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join([chunk async for chunk in chunks])))


async def test_one_export_per_user_at_a_time(server, pool, alice, bob):
    """Alice's export under way (her client reading it slowly, or not at all) refuses her a
    second one, not Bob his; once it ends, however it ends, she may export again. (Dozens of
    exports at once of one account's images, each a full copy, slowed every other user's image
    and login for seconds.)"""
    for n in range(2):
        photo = (f"{n}.png", images.png(color=(n, 2, 3, 255)), "image/png")
        assert (await post(alice, f"photo {n}", image=photo)).status_code == 201
    first = await export(pool, server, alice)
    head = await anext(first)  # data.json, compressed; the images are still to come
    assert head
    with pytest.raises(RateLimited) as refused:
        await export(pool, server, alice)
    assert refused.value.retry_after > 0
    answer = await alice.client.get("/api/users/me/export")
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0
    others = await bob.client.get("/api/users/me/export")
    assert zipfile.ZipFile(io.BytesIO(others.content)).namelist() == ["data.json"]

    rest = b"".join([chunk async for chunk in first])
    archive = zipfile.ZipFile(io.BytesIO(head + rest))
    assert archive.testzip() is None
    data = json.loads(archive.read("data.json"))
    assert sorted(archive.namelist()) == sorted(["data.json", *(m["file"] for m in data["media"])])
    for row in data["media"]:
        assert len(archive.read(row["file"])) == row["byte_size"]

    # Finished: she may export again. Abandoned halfway (closed), or dropped before it started:
    # the same.
    again = await export(pool, server, alice)
    await anext(again)
    await again.aclose()
    unstarted = await export(pool, server, alice)
    del unstarted
    gc.collect()
    assert (await read_all(await export(pool, server, alice))).testzip() is None
