"""The media sweeper, against a real Postgres and a real media directory: one sweep is called
directly with the "now" it should believe, so nothing waits for an hour to pass."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import trio_asyncio

from server.db.database import open_pool
from server.domain.media_sweeper import SWEEP_GRACE, MediaSweeper, Swept
from tests import images
from tests.conftest import start_server
from tests.http.test_posts import post
from tests.http.test_uploads import avatar, stored_files

LATER = SWEEP_GRACE + timedelta(minutes=1)


@pytest.fixture
async def sweeper(server):
    async with trio_asyncio.open_loop():
        async with open_pool(server.config.database_url, size=2) as pool:
            yield MediaSweeper(pool, server.config.media_dir)


async def put_avatar(persona, data: bytes) -> str:
    response = await persona.client.put("/api/users/me/avatar", files=avatar(data))
    assert response.status_code == 200, response.text
    return response.json()["user"]["avatar_url"]


async def test_a_replaced_avatar_goes_with_its_file(server, sweeper, alice, bob):
    first = await put_avatar(alice, images.jpeg(color=(250, 0, 0)))
    first_files = stored_files(server)
    second = await put_avatar(alice, images.jpeg(color=(0, 0, 250)))
    assert len(stored_files(server)) == 2

    # Within the grace period nothing goes.
    assert await sweeper.sweep(now=datetime.now(UTC)) == Swept(rows=0, files=0)
    assert (await alice.client.get(first)).status_code == 200

    assert await sweeper.sweep(now=datetime.now(UTC) + LATER) == Swept(rows=1, files=1)
    assert (await alice.client.get(first)).status_code == 404
    assert (await bob.client.get(second)).status_code == 200
    assert len(stored_files(server)) == 1 and stored_files(server) != first_files


async def test_a_file_shared_by_two_rows_stays_while_one_row_names_it(server, sweeper, alice, bob):
    photo = images.jpeg(color=(7, 7, 7))
    alices = await put_avatar(alice, photo)
    bobs = await put_avatar(bob, photo)
    assert alices != bobs and len(stored_files(server)) == 1  # two rows, one file
    await alice.client.delete("/api/users/me/avatar")

    assert await sweeper.sweep(now=datetime.now(UTC) + LATER) == Swept(rows=1, files=0)
    assert (await alice.client.get(bobs)).status_code == 200
    assert (await alice.client.get(alices)).status_code == 404

    await bob.client.delete("/api/users/me/avatar")
    assert await sweeper.sweep(now=datetime.now(UTC) + LATER) == Swept(rows=1, files=1)
    assert stored_files(server) == []


async def test_images_of_deleted_posts_and_comments_go(server, sweeper, alice, bob):
    photo = ("p.png", images.png(color=(1, 200, 3, 255)), "image/png")
    item = (await post(alice, "soon gone", image=photo)).json()["post"]
    gif = {"image": ("c.gif", images.gif(frames=2), "image/gif")}
    comment = await bob.client.post(
        f"/api/posts/{item['id']}/comments", data={"body": "nice"}, files=gif
    )
    assert comment.status_code == 201
    assert len(stored_files(server)) == 2
    assert (await alice.client.delete(f"/api/posts/{item['id']}")).status_code == 204

    assert await sweeper.sweep(now=datetime.now(UTC) + LATER) == Swept(rows=2, files=2)
    assert stored_files(server) == []


async def test_files_no_row_names_go_once_old_and_other_files_stay(server, sweeper):
    media_dir = server.config.media_dir
    media_dir.mkdir(parents=True, exist_ok=True)
    stray = media_dir / f"{'ab' * 32}.png"  # a content name no row has
    staged = media_dir / f"{'cd' * 32}.gif.0123456789abcdef.tmp"  # an upload never published
    fresh = media_dir / f"{'ef' * 32}.jpg.0123456789abcdef.tmp"  # an upload in flight
    notes = media_dir / "README.txt"  # not a name the server makes
    for path in (stray, staged, fresh, notes):
        path.write_bytes(b"x")
    an_hour_and_more_ago = (datetime.now(UTC) - LATER).timestamp()
    for path in (stray, staged, notes):
        os.utime(path, (an_hour_and_more_ago, an_hour_and_more_ago))

    assert await sweeper.sweep(now=datetime.now(UTC)) == Swept(rows=0, files=2)
    assert sorted(stored_files(server)) == sorted([fresh.name, notes.name])


async def test_the_service_sweeps_once_it_starts(database_url, tmp_path, nursery):
    stray = tmp_path / "media" / f"{'12' * 32}.jpg"
    stray.parent.mkdir()
    stray.write_bytes(b"left by a process killed mid-upload")
    long_ago = (datetime.now(UTC) - LATER).timestamp()
    os.utime(stray, (long_ago, long_ago))
    async for _running in start_server(database_url, tmp_path, nursery):
        assert not stray.exists()  # swept before the server reported ready
