"""Uploads (server/http/uploads.py): a file exists only for a row that committed, decoding has
a budget, and what cannot fit is refused before it is decoded. Measured from outside: the
media directory of a real server, and what GET /media serves."""

from __future__ import annotations

import hashlib
import io

import pytest
import trio
import trio.testing
import trio_asyncio
from PIL import Image

from server.db.database import open_pool
from server.domain.address_budgets import AddressBudgets
from server.domain.chat_writer import MessageWriter
from server.domain.external_login import ExternalLogins
from server.domain.media_sweeper import MediaSweeper
from server.domain.password_resets import PasswordResets
from server.domain.profiles import set_avatar
from server.domain.sessions import Sessions
from server.http import uploads
from server.http.app import create_app
from server.http.context import Services, db
from server.mail import Mailer
from server.media import LOCK_NAME
from server.ratelimit import RateLimits
from tests import images
from tests.conftest import register
from tests.http.test_posts import post


def stored_files(server) -> list[str]:
    """Every file of the media directory but its lock: content names and staged ones alike."""
    directory = server.config.media_dir
    if not directory.exists():
        return []
    return sorted(path.name for path in directory.iterdir() if path.name != LOCK_NAME)


def avatar(data: bytes, name: str = "me.jpg"):
    return {"avatar": (name, data, "application/octet-stream")}


async def test_a_registration_refused_for_a_taken_email_leaves_no_file(server, alice, new_client):
    client = new_client()
    for attempt in range(5):
        photo = images.jpeg(color=(10 * attempt, 90, 200))
        response = await register(
            client, email="ALICE@example.com", first_name="Eve", files=avatar(photo)
        )
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "email_taken"
    assert stored_files(server) == []


async def test_a_refused_post_or_comment_leaves_no_file(server, alice, bob, carol):
    for attempt in range(3):
        photo = ("p.png", images.png(color=(attempt, 2, 3, 255)), "image/png")
        # Private, for Bob, who does not follow Alice: refused.
        refused = await post(alice, "for Bob", privacy="private", viewers=[bob], image=photo)
        assert refused.status_code == 422, refused.text
    hidden = (await post(carol, "for my followers", privacy="almost_private")).json()["post"]
    photo = ("c.png", images.png(color=(9, 9, 9, 255)), "image/png")
    comment = await alice.client.post(
        f"/api/posts/{hidden['id']}/comments", data={"body": "hi"}, files={"image": photo}
    )
    assert comment.status_code == 404
    assert stored_files(server) == []


async def test_an_accepted_upload_is_one_file_under_its_content_name(server, alice):
    response = await post(alice, "look", image=("g.gif", images.gif(frames=3), "image/gif"))
    assert response.status_code == 201
    served = await alice.client.get(response.json()["post"]["image_url"])
    assert stored_files(server) == [f"{hashlib.sha256(served.content).hexdigest()}.gif"]


async def test_refusing_content_already_stored_keeps_its_file(server, new_persona, new_client):
    photo = images.jpeg(color=(1, 2, 3))
    pic = await new_persona("Pic", files=avatar(photo))
    before = stored_files(server)
    assert len(before) == 1
    again = await register(
        new_client(), email="pic@example.com", first_name="Pic", files=avatar(photo)
    )
    assert again.status_code == 409
    assert stored_files(server) == before
    assert (await pic.client.get(pic.user["avatar_url"])).status_code == 200


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


@pytest.fixture
async def app_context(server):
    """The request side of a server, outside any request: the database and media directory of
    the running `server`."""
    async with trio_asyncio.open_loop():
        async with open_pool(server.config.database_url, size=2) as pool:
            sessions = Sessions(pool)
            config = server.config
            services = Services(
                config=config,
                db=pool,
                sessions=sessions,
                writer=MessageWriter(pool),
                limits=RateLimits(config),
                address_budgets=AddressBudgets(pool, enabled=False),
                sweeper=MediaSweeper(pool, config.media_dir),
                resets=PasswordResets(sessions, Mailer(None, "test"), config.site_url),
                logins=ExternalLogins(sessions, (), config.site_url),
            )
            async with create_app(services).app_context():
                yield


async def test_a_failure_after_the_commit_still_publishes(server, alice, app_context):
    """A deadline or a lost connection can strike after the COMMIT: the database says whether
    the row is there, and the file follows it."""
    photo = images.png(color=(200, 100, 0, 255))
    with pytest.raises(RuntimeError):
        async with uploads.open_upload(photo, field="avatar") as image:
            user = await db().transaction(set_avatar, alice.id, image)
            raise RuntimeError("the connection dropped after the COMMIT")
    assert stored_files(server) == [image.filename]
    served = await alice.client.get(f"/media/{user.avatar_id}")
    assert served.content == image.data


async def test_a_failure_or_cancellation_before_the_commit_leaves_nothing(server, app_context):
    with pytest.raises(RuntimeError):
        async with uploads.open_upload(images.png(), field="avatar"):
            raise RuntimeError("the transaction never ran")
    with trio.CancelScope() as scope:
        async with uploads.open_upload(images.jpeg(), field="avatar"):
            scope.cancel()
            await trio.sleep_forever()
    assert scope.cancelled_caught
    assert stored_files(server) == []
