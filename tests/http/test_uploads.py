"""Uploads (server/http/uploads.py): decoding has a budget, what cannot fit is refused before
it is decoded, and what is stored is re-encoded. Measured from outside: the media directory of
a real server, and what GET /media serves."""

from __future__ import annotations

import io

import trio
import trio.testing
from PIL import Image

from server.http import uploads
from tests import images
from tests.http.test_posts import post


def stored_files(server) -> list[str]:
    directory = server.config.media_dir
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


async def test_the_huge_animation_is_refused_undecoded(server, alice, gif_decodes):
    huge = ("huge.gif", images.huge_animation(), "image/gif")  # 8 frames of 6300 x 6300
    response = await post(alice, "boom", image=huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert gif_decodes == []
    assert stored_files(server) == []
    assert (await alice.client.get("/api/health")).status_code == 200


async def test_a_gif_comment_is_not_served_back(alice, bob):
    original = images.animation(
        frames=4, duration=[50, 60, 70, 80], loop=0, comment=b"my home address"
    )
    response = await post(alice, "wave", image=("wave.gif", original, "image/gif"))
    served = await bob.client.get(response.json()["post"]["image_url"])
    assert served.headers["content-type"] == "image/gif"
    assert b"my home address" in original and b"my home address" not in served.content
    with Image.open(io.BytesIO(served.content)) as animation:
        assert animation.n_frames == 4 and animation.info["loop"] == 0
        durations = []
        for index in range(4):
            animation.seek(index)
            durations.append(animation.info["duration"])
    assert durations == [50, 60, 70, 80]


async def test_decodes_wait_for_a_slot_and_the_wait_is_cancellable():
    decoders = uploads.decoders()
    assert decoders.total_tokens == uploads.DECODES_AT_ONCE == 2
    holders = [object(), object()]
    for holder in holders:
        decoders.acquire_on_behalf_of_nowait(holder)
    done = []

    async def upload():
        done.append(await uploads.process_image(images.png(), field="image"))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(upload)
        await trio.testing.wait_all_tasks_blocked()
        assert decoders.statistics().tasks_waiting == 1 and done == []
        nursery.cancel_scope.cancel()  # the client went away while waiting
    assert decoders.statistics().tasks_waiting == 0 and done == []

    async with trio.open_nursery() as nursery:
        nursery.start_soon(upload)
        await trio.testing.wait_all_tasks_blocked()
        decoders.release_on_behalf_of(holders[0])  # a decode ends: the next one starts
    assert len(done) == 1 and done[0].content_type == "image/png"
