"""Account deletion (API.md, Auth: DELETE /api/users/me; SPEC.md, Accounts and sessions): the
password is required; the user and all they authored go, a group they created passes to its
earliest-joined remaining member or goes with its content, every session ends, their images
leave the disk, and nothing of theirs stays readable by anyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trio

from server import media
from server.media import EXTENSIONS
from tests import images
from tests.conftest import PASSWORD
from tests.http.test_groups import create_group, invite
from tests.http.test_password_change import assert_closed_for_ended_session
from tests.http.test_posts import follow_accepted, post
from tests.realtime.wsclient import open_socket, ping

JPEG = images.jpeg(size=(48, 48), color=(10, 200, 90))
SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat().replace("+00:00", "Z")


def stored_files(server) -> set[str]:
    media_dir = Path(server.config.media_dir)
    if not media_dir.exists():
        return set()
    # The images, by content name (media.CONTENT_NAME); not the directory's lock file.
    return {path.name for path in media_dir.iterdir() if media.CONTENT_NAME.fullmatch(path.name)}


async def delete_me(persona, password=PASSWORD):
    return await persona.client.request("DELETE", "/api/users/me", json={"password": password})


async def media_ids(persona, *urls: str) -> list[int]:
    return [int(url.rsplit("/", 1)[1]) for url in urls]


@pytest.fixture
async def scene(new_persona, server):
    """Dan, with an avatar, follows and is followed, posts, comments, messages, creates two
    groups (Bob joins the first, later Alice; nobody the second), answers Bob's event."""
    dan = await new_persona("Dan", files={"avatar": ("dan.png", images.png(), "image/png")})
    alice, bob = await new_persona("Alice"), await new_persona("Bob")
    carol = await new_persona("Carol", is_public=False)
    await follow_accepted(alice, dan)
    await follow_accepted(dan, bob)
    assert (await dan.client.post(f"/api/users/{carol.id}/follow")).status_code == 200

    dans_post = (await post(dan, "Dan's post", image=("d.jpg", JPEG, "image/jpeg"))).json()["post"]
    alices_post = (await post(alice, "Alice's post")).json()["post"]
    dans_comment = await dan.client.post(
        f"/api/posts/{alices_post['id']}/comments",
        data={"body": "Dan's comment"},
        files={"image": ("c.gif", images.gif(), "image/gif")},
    )
    assert dans_comment.status_code == 201, dans_comment.text
    # Alice happens to upload the very bytes of Dan's post image: their file is shared.
    alices_copy = (await post(alice, "Same picture", image=("a.jpg", JPEG, "image/jpeg"))).json()[
        "post"
    ]
    for sender, recipient in ((dan, alice), (alice, dan)):
        sent = await sender.client.post(
            f"/api/chats/direct/{recipient.id}/messages",
            json={"body": f"from {sender.user['first_name']}"},
        )
        assert sent.status_code == 201, sent.text

    kept = await create_group(dan, "Kept", "Passes to Bob")
    gone = await create_group(dan, "Gone", "Nobody else")
    for group, invitee in ((kept, bob), (kept, alice)):
        invitation = (await invite(dan, group, invitee)).json()["invitation"]
        accepted = await invitee.client.post(f"/api/group-invitations/{invitation['id']}/accept")
        assert accepted.status_code == 200
    group_post = (await post(dan, "In Kept", group_id=kept["id"])).json()["post"]
    gone_post = (await post(dan, "In Gone", group_id=gone["id"])).json()["post"]
    event = await bob.client.post(
        f"/api/groups/{kept['id']}/events",
        json={"title": "Climb", "description": "Up", "starts_at": SOON},
    )
    assert event.status_code == 201, event.text
    event = event.json()["event"]
    answered = await dan.client.put(
        f"/api/events/{event['id']}/response", json={"response": "going"}
    )
    assert answered.status_code == 200
    return {
        "dan": dan, "alice": alice, "bob": bob, "carol": carol, "dans_post": dans_post,
        "alices_post": alices_post, "dans_comment": dans_comment.json()["comment"],
        "alices_copy": alices_copy, "kept": kept, "gone": gone, "group_post": group_post,
        "gone_post": gone_post, "event": event,
    }  # fmt: skip


async def test_a_wrong_password_deletes_nothing(scene):
    dan = scene["dan"]
    for password in ("not my password", "", "\x00"):
        response = await delete_me(dan, password)
        assert response.status_code == 422, password
        assert set(response.json()["error"]["fields"]) == {"password"}
    missing = await dan.client.request("DELETE", "/api/users/me", json={})
    assert set(missing.json()["error"]["fields"]) == {"password"}
    assert (await dan.client.get("/api/auth/me")).status_code == 200
    assert (await scene["alice"].client.get(f"/api/users/{dan.id}")).status_code == 200


async def test_nothing_of_a_deleted_user_remains_readable(server, scene, new_client):
    dan, alice, bob, carol = scene["dan"], scene["alice"], scene["bob"], scene["carol"]
    avatar_id, post_image_id, comment_image_id = await media_ids(
        dan,
        dan.user["avatar_url"],
        scene["dans_post"]["image_url"],
        scene["dans_comment"]["image_url"],
    )
    before = stored_files(server)
    assert len(before) == 3  # Dan's avatar, his post image (shared with Alice), his comment GIF

    other_browser = new_client()
    await other_browser.post(
        "/api/auth/login", json={"email": "dan@example.com", "password": PASSWORD}
    )
    async with open_socket(server, cookie=other_browser.cookies["sid"]) as socket:
        await ping(socket)
        response = await delete_me(dan)
        assert response.status_code == 204, response.text
        assert "sid=" in response.headers["set-cookie"]
        await assert_closed_for_ended_session(socket)

    # Every session ended; the account cannot log in again.
    for client in (dan.client, other_browser):
        assert (await client.get("/api/auth/me")).status_code == 401
    login = await new_client().post(
        "/api/auth/login", json={"email": "dan@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401

    for viewer in (alice, bob, carol):
        client = viewer.client
        assert (await client.get(f"/api/users/{dan.id}")).status_code == 404
        for path in ("posts", "followers", "following", "activity"):
            assert (await client.get(f"/api/users/{dan.id}/{path}")).status_code == 404
        assert (await client.get(f"/api/posts/{scene['dans_post']['id']}")).status_code == 404
        assert (await client.get(f"/api/posts/{scene['gone_post']['id']}")).status_code == 404
        assert (await client.get(f"/api/posts/{scene['group_post']['id']}")).status_code == 404
        for media_id in (avatar_id, post_image_id, comment_image_id):
            assert (await client.get(f"/media/{media_id}")).status_code == 404
        people = (await client.get("/api/users")).json()["items"]
        assert dan.id not in [person["id"] for person in people]
        notifications = (await client.get("/api/notifications")).json()["items"]
        assert all(n["actor"]["id"] != dan.id for n in notifications)

    comments = (await alice.client.get(f"/api/posts/{scene['alices_post']['id']}/comments")).json()
    assert comments["items"] == []
    assert (await alice.client.get(f"/api/posts/{scene['alices_post']['id']}")).json()["post"][
        "comments_count"
    ] == 0
    assert (await alice.client.get(f"/api/chats/direct/{dan.id}/messages")).status_code == 404
    chats = (await alice.client.get("/api/chats")).json()["items"]
    assert [chat for chat in chats if chat["kind"] == "direct"] == []
    for viewer, relation in ((alice, "following"), (bob, "followers")):
        listed = (await viewer.client.get(f"/api/users/{viewer.id}/{relation}")).json()["items"]
        assert dan.id not in [person["id"] for person in listed]

    # His group passed to its earliest-joined remaining member; the one nobody else was in went.
    kept = (await alice.client.get(f"/api/groups/{scene['kept']['id']}")).json()["group"]
    assert kept["creator"]["id"] == bob.id and kept["members_count"] == 2
    assert (await bob.client.get(f"/api/groups/{scene['kept']['id']}")).json()["group"][
        "my_state"
    ] == "creator"
    assert (await alice.client.get(f"/api/groups/{scene['gone']['id']}")).status_code == 404
    members = (await bob.client.get(f"/api/groups/{scene['kept']['id']}/members")).json()["items"]
    assert dan.id not in [member["id"] for member in members]
    responses = (await bob.client.get(f"/api/events/{scene['event']['id']}/responses")).json()
    assert responses["items"] == []

    # His image files left the disk, except the one Alice's upload shares.
    after = stored_files(server)
    assert after < before and len(after) == 1
    alices_image = scene["alices_copy"]["image_url"]
    image = await bob.client.get(alices_image)
    assert image.status_code == 200 and f".{EXTENSIONS['image/jpeg']}" in "".join(after)


async def test_deleting_needs_a_session(server, new_client):
    response = await new_client().request("DELETE", "/api/users/me", json={"password": PASSWORD})
    assert response.status_code == 401


async def test_the_sockets_of_others_stay_open(server, scene):
    async with open_socket(server, scene["alice"]) as socket:
        await ping(socket)
        assert (await delete_me(scene["dan"])).status_code == 204
        with trio.fail_after(5):
            await ping(socket)
