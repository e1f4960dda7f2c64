"""Blocks (SPEC.md, Blocks): Alice blocks Bob. Bob can no longer find or reach Alice (every
route about her answers 404, as for nobody); Alice no longer sees Bob's posts, comments,
reactions or notifications; inside a shared group their content stays visible, but they cannot
answer it, message each other or invite each other; unblocking restores nothing."""

from __future__ import annotations

import pytest

from tests.http.test_chat import send
from tests.http.test_events import create_event
from tests.http.test_groups import create_group, invite, make_member
from tests.http.test_posts import follow_accepted
from tests.http.test_reactions import comment, made, notifications, react, reactors
from tests.realtime.test_chat_socket import chat_send
from tests.realtime.wsclient import next_frame, open_socket


async def block(blocker, blocked):
    response = await blocker.client.post(f"/api/users/{blocked.id}/block")
    assert response.status_code == 204, response.text


async def listed(persona, path: str) -> list[int]:
    return [item["id"] for item in (await persona.client.get(path)).json()["items"]]


async def test_block_and_unblock_are_idempotent(alice, bob, carol):
    assert (await alice.client.get("/api/blocks")).json() == {"items": [], "next": None}
    await block(alice, bob)
    await block(alice, bob)
    await block(alice, carol)
    blocked = (await alice.client.get("/api/blocks")).json()
    assert [card["id"] for card in blocked["items"]] == [carol.id, bob.id]
    assert set(blocked["items"][0]) == {"id", "first_name", "last_name", "nickname", "avatar_url"}
    first = (await alice.client.get("/api/blocks?limit=1")).json()
    assert [card["id"] for card in first["items"]] == [carol.id] and first["next"] == carol.id
    rest = (await alice.client.get(f"/api/blocks?limit=1&before={first['next']}")).json()
    assert [card["id"] for card in rest["items"]] == [bob.id] and rest["next"] is None

    profile = (await alice.client.get(f"/api/users/{bob.id}")).json()["user"]
    assert profile["blocked"] is True
    assert (await carol.client.get(f"/api/users/{bob.id}")).json()["user"]["blocked"] is False

    assert (await alice.client.delete(f"/api/users/{bob.id}/block")).status_code == 204
    assert (await alice.client.delete(f"/api/users/{bob.id}/block")).status_code == 204
    assert await listed(alice, "/api/blocks") == [carol.id]
    assert (await alice.client.get(f"/api/users/{bob.id}")).json()["user"]["blocked"] is False


async def test_blocking_oneself_or_nobody_is_refused(alice):
    itself = await alice.client.post(f"/api/users/{alice.id}/block")
    assert itself.status_code == 422 and itself.json()["error"]["code"] == "validation_error"
    assert (await alice.client.post("/api/users/987654/block")).status_code == 404
    assert (await alice.client.delete("/api/users/987654/block")).status_code == 404


async def test_follows_both_ways_and_pending_requests_end_for_good(alice, bob, carol):
    """Carol (private) blocks Bob, who asked to follow her; Alice blocks Bob, with whom she
    follows both ways. Unblocking gives none of it back."""
    await bob.client.post(f"/api/users/{carol.id}/follow")
    assert [n["kind"] for n in await notifications(carol, "follow_request")] == ["follow_request"]
    await block(carol, bob)
    assert (await carol.client.get("/api/follow-requests")).json()["items"] == []
    assert await notifications(carol, "follow_request") == []

    await follow_accepted(alice, bob)
    await follow_accepted(bob, alice)
    await block(alice, bob)
    for person, other in ((alice, bob), (bob, carol)):
        assert (await person.client.get(f"/api/users/{person.id}")).json()["user"][
            "followers_count"
        ] == 0
        assert other.id not in await listed(person, f"/api/users/{person.id}/following")
    await alice.client.delete(f"/api/users/{bob.id}/block")
    await carol.client.delete(f"/api/users/{bob.id}/block")
    assert (await alice.client.get(f"/api/users/{bob.id}")).json()["user"]["follow_state"] == (
        "none"
    )
    assert (await carol.client.get("/api/follow-requests")).json()["items"] == []
    # Unblocked, the ordinary rules apply again.
    assert (await bob.client.post(f"/api/users/{alice.id}/follow")).json() == {
        "follow_state": "following"
    }


async def test_the_blocked_person_finds_nothing_of_the_blocker(alice, bob, new_persona):
    """Alice (public, with a public post) blocks Bob: for Bob she no longer exists."""
    dan = await new_persona("Dan")
    await follow_accepted(alice, dan)  # Alice is on Dan's (public) list of followers
    item = await made(alice, "public words")
    said = await comment(alice, item["id"], "my own comment")
    await block(alice, bob)

    for path in (
        f"/api/users/{alice.id}",
        f"/api/users/{alice.id}/posts",
        f"/api/users/{alice.id}/followers",
        f"/api/users/{alice.id}/following",
        f"/api/users/{alice.id}/activity",
        f"/api/posts/{item['id']}",
        f"/api/posts/{item['id']}/comments",
        f"/api/posts/{item['id']}/reactions",
        f"/api/comments/{said['id']}/reactions",
        f"/api/chats/direct/{alice.id}/messages",
    ):
        response = await bob.client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found", path
    nobody = (await bob.client.get("/api/users/987654")).json()
    assert (await bob.client.get(f"/api/users/{alice.id}")).json() == nobody

    for response in (
        await bob.client.post(f"/api/users/{alice.id}/follow"),
        await bob.client.delete(f"/api/users/{alice.id}/follow"),
        await bob.client.delete(f"/api/users/{alice.id}/follower"),
        await bob.client.post(f"/api/users/{alice.id}/block"),
        await send(bob, alice, "hello?"),
        await bob.client.post(
            f"/api/posts/{item['id']}/comments", data={"body": "x"}, files={"image": ("", b"")}
        ),
        await react(bob, "post", item["id"], "like"),
        await react(bob, "comment", said["id"], "like"),
    ):
        assert response.status_code == 404, response.request.url
    assert alice.id not in await listed(bob, "/api/users")
    assert alice.id not in await listed(bob, "/api/users?q=Alice")
    assert alice.id in await listed(dan, f"/api/users/{dan.id}/followers")
    assert alice.id not in await listed(bob, f"/api/users/{dan.id}/followers")
    assert item["id"] not in await listed(bob, "/api/explore")
    # Alice still sees Bob, as a card she can unblock, and may not follow him meanwhile.
    profile = await alice.client.get(f"/api/users/{bob.id}")
    assert profile.status_code == 200 and profile.json()["user"]["blocked"] is True
    refused = await alice.client.post(f"/api/users/{bob.id}/follow")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    not_allowed = await send(alice, bob, "hi")
    assert not_allowed.status_code == 403
    assert not_allowed.json()["error"]["code"] == "chat_not_allowed"


async def test_the_blocker_no_longer_sees_posts_comments_reactions_or_notifications(
    alice, bob, carol
):
    """Bob follows Alice (a new_follower notification), posts, comments and reacts on Carol's
    post; then Alice blocks him."""
    await follow_accepted(bob, alice)
    bobs = await made(bob, "Bob's public post")
    carols = await made(carol, "Carol's post", privacy="public")
    bobs_comment = await comment(bob, carols["id"], "Bob was here")
    alices_comment = await comment(alice, carols["id"], "Alice was here")
    await react(bob, "post", carols["id"], "haha")
    await react(alice, "post", carols["id"], "like")
    assert [n["actor"]["id"] for n in await notifications(alice, "new_follower")] == [bob.id]

    await block(alice, bob)
    assert (await alice.client.get(f"/api/posts/{bobs['id']}")).status_code == 404
    assert bobs["id"] not in await listed(alice, "/api/explore")
    assert await listed(alice, f"/api/users/{bob.id}/posts") == []
    for reader, hidden, kept in (
        (alice, bobs_comment, alices_comment),
        (bob, alices_comment, bobs_comment),
    ):
        shown = await listed(reader, f"/api/posts/{carols['id']}/comments")
        assert hidden["id"] not in shown and kept["id"] in shown
    assert await reactors(alice, "post", carols["id"]) == [(alice.id, "like")]
    assert await reactors(bob, "post", carols["id"]) == [(bob.id, "haha")]
    assert await reactors(carol, "post", carols["id"]) == [(alice.id, "like"), (bob.id, "haha")]
    assert await notifications(alice, "new_follower") == []
    unread = (await alice.client.get("/api/notifications/unread-count")).json()
    assert unread == {"count": 0}


async def test_inside_a_shared_group_content_stays_but_no_answer_invite_or_message(
    alice, bob, carol, new_persona
):
    """Carol's group has Alice and Bob; Alice blocks Bob."""
    group = await create_group(carol)
    for member in (alice, bob):
        await make_member(carol, group, member)
    alices = await made(alice, "Alice in the group", group_id=group["id"])
    bobs = await made(bob, "Bob in the group", group_id=group["id"])
    bobs_comment = await comment(bob, alices["id"], "Bob's answer")
    await block(alice, bob)

    for reader, other in ((alice, bobs), (bob, alices)):
        assert (await reader.client.get(f"/api/posts/{other['id']}")).status_code == 200
        assert other["id"] in await listed(reader, f"/api/groups/{group['id']}/posts")
        assert other["id"] not in await listed(reader, "/api/feed")  # Home hides it
    assert bobs_comment["id"] in await listed(alice, f"/api/posts/{alices['id']}/comments")
    for person, other_post in ((bob, alices), (alice, bobs)):
        refused = await person.client.post(
            f"/api/posts/{other_post['id']}/comments",
            data={"body": "x"},
            files={"image": ("", b"")},
        )
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert (await react(person, "post", other_post["id"], "like")).status_code == 403
    assert (await react(alice, "comment", bobs_comment["id"], "like")).status_code == 403

    # Bob creates an event: every member hears of it, but Alice.
    await create_event(bob, group)
    assert len(await notifications(carol, "group_event")) == 1
    assert await notifications(alice, "group_event") == []

    # No invitations between them, to any group.
    dan = await new_persona("Dan")
    alices_group, bobs_group = await create_group(alice, "Alice's"), await create_group(bob)
    assert (await invite(alice, alices_group, bob)).status_code == 403
    assert (await invite(bob, bobs_group, alice)).status_code == 404
    assert (await invite(alice, alices_group, dan)).status_code == 201

    # The group's room works; a direct message does not, either way.
    sent = await bob.client.post(f"/api/groups/{group['id']}/messages", json={"body": "hi all"})
    assert sent.status_code == 201
    assert (await send(bob, alice)).status_code == 404
    assert (await send(alice, bob)).status_code == 403


async def test_a_direct_conversation_disappears_for_the_blocked(alice, bob):
    await follow_accepted(bob, alice)
    assert (await send(bob, alice, "hello")).status_code == 201
    await block(alice, bob)
    assert (await bob.client.get("/api/chats")).json()["items"] == []
    alices = (await alice.client.get("/api/chats")).json()["items"]
    assert [item["id"] for item in alices] == [bob.id]


@pytest.mark.parametrize("direction", ["blocked to blocker", "blocker to blocked"])
async def test_a_socket_send_between_them_is_refused(server, alice, bob, direction):
    await follow_accepted(bob, alice)
    await block(alice, bob)
    sender, recipient, code = (
        (bob, alice, "not_found")
        if direction == "blocked to blocker"
        else (alice, bob, "chat_not_allowed")
    )
    async with open_socket(server, sender) as socket:
        client_msg_id = await chat_send(socket, {"user": recipient.id}, "hello?")
        frame = await next_frame(socket, type="chat.error")
        assert frame == {"type": "chat.error", "client_msg_id": client_msg_id, "code": code}
