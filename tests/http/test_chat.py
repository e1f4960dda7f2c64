"""Chat over HTTP: the rule both ways, history, idempotent resends, limits, unread counts."""

from __future__ import annotations

import pytest

from tests.http.test_groups import create_group, make_member

EMOJI = "😀🧗‍♀️"


async def send(sender, recipient, body="hi", **extra):
    return await sender.client.post(
        f"/api/chats/direct/{recipient.id}/messages", json={"body": body, **extra}
    )


async def accept_all(persona):
    for request in (await persona.client.get("/api/follow-requests")).json()["items"]:
        await persona.client.post(f"/api/follow-requests/{request['id']}/accept")


@pytest.mark.parametrize("direction", ["sender follows", "recipient follows"])
async def test_one_follow_either_way_allows_both_to_write(alice, bob, direction):
    follower, followee = (alice, bob) if direction == "sender follows" else (bob, alice)
    await follower.client.post(f"/api/users/{followee.id}/follow")
    there = await send(alice, bob, "hello")
    back = await send(bob, alice, "hi back")
    assert there.status_code == back.status_code == 201
    message = there.json()["message"]
    assert message["conversation"] == {"kind": "direct", "id": bob.id}
    assert message["sender"]["id"] == alice.id and message["body"] == "hello"
    # Each side names the conversation by the other person.
    history = (await bob.client.get(f"/api/chats/direct/{alice.id}/messages")).json()["items"]
    assert [(m["body"], m["conversation"]) for m in history] == [
        ("hi back", {"kind": "direct", "id": alice.id}),
        ("hello", {"kind": "direct", "id": alice.id}),
    ]


async def test_strangers_and_pending_requests_may_not_write(alice, bob, carol):
    await bob.client.post(f"/api/users/{carol.id}/follow")  # pending: Carol is private
    for sender, recipient in ((alice, bob), (bob, alice), (bob, carol), (carol, bob)):
        refused = await send(sender, recipient)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "chat_not_allowed"
    assert (await bob.client.get("/api/chats")).json()["items"] == []
    assert (await send(alice, alice)).status_code == 403
    unknown = await alice.client.post("/api/chats/direct/999999/messages", json={"body": "x"})
    assert unknown.status_code == 404


async def test_bodies_emoji_and_limits(alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    longest = "🧗" * 2000
    assert len(longest) == 2000
    sent = await send(alice, bob, longest)
    assert sent.status_code == 201 and sent.json()["message"]["body"] == longest
    assert (await send(alice, bob, f"  {EMOJI}  ")).json()["message"]["body"] == EMOJI
    for bad in ("🧗" * 2001, "   ", "", None, 5):
        response = await send(alice, bob, bad)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"


async def test_a_resent_client_msg_id_stores_nothing_new(alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    first = await send(alice, bob, "once", client_msg_id="c0ffee")
    again = await send(alice, bob, "once", client_msg_id="c0ffee")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["message"] == first.json()["message"]
    history = (await alice.client.get(f"/api/chats/direct/{bob.id}/messages")).json()["items"]
    assert len(history) == 1 and history[0]["client_msg_id"] == "c0ffee"


async def test_history_pages_and_conversations_with_unread_counts(alice, bob, carol):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    await alice.client.post(f"/api/users/{carol.id}/follow")
    await accept_all(carol)
    sent = [(await send(bob, alice, f"m{n}")).json()["message"]["id"] for n in range(5)]
    await send(carol, alice, "from carol")
    page = (await alice.client.get(f"/api/chats/direct/{bob.id}/messages?limit=2")).json()
    assert [m["id"] for m in page["items"]] == sent[:-3:-1] and page["next"] == sent[3]

    chats = (await alice.client.get("/api/chats")).json()["items"]
    assert [(c["kind"], c["id"], c["unread_count"]) for c in chats] == [
        ("direct", carol.id, 1),
        ("direct", bob.id, 5),
    ]
    assert chats[1]["peer"]["id"] == bob.id and chats[1]["last_message"]["body"] == "m4"
    read = await alice.client.post(f"/api/chats/direct/{bob.id}/read", json={"up_to": sent[2]})
    assert read.status_code == 204
    chats = {c["id"]: c for c in (await alice.client.get("/api/chats")).json()["items"]}
    assert chats[bob.id]["unread_count"] == 2
    # Bob's own messages never count as unread for him.
    assert (await bob.client.get("/api/chats")).json()["items"][0]["unread_count"] == 0
    bad = await alice.client.post(f"/api/chats/direct/{bob.id}/read", json={"up_to": "x"})
    assert bad.status_code == 422


async def test_group_rooms_are_for_members(alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    path = f"/api/groups/{group['id']}/messages"
    sent = await bob.client.post(path, json={"body": f"crag? {EMOJI}"})
    assert sent.status_code == 201
    assert sent.json()["message"]["conversation"] == {"kind": "group", "id": group["id"]}
    history = (await alice.client.get(path)).json()["items"]
    assert [m["body"] for m in history] == [f"crag? {EMOJI}"]
    refused = await carol.client.post(path, json={"body": "let me in"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "chat_not_allowed"
    assert (await carol.client.get(path)).status_code == 404
    missing = await alice.client.post("/api/groups/999999/messages", json={"body": "x"})
    assert missing.status_code == 404

    rooms = [c for c in (await alice.client.get("/api/chats")).json()["items"]]
    assert rooms[0]["kind"] == "group" and rooms[0]["unread_count"] == 1
    assert rooms[0]["group"] == {"id": group["id"], "title": "Climbing"}
    up_to = history[0]["id"]
    assert (
        await alice.client.post(f"/api/chats/group/{group['id']}/read", json={"up_to": up_to})
    ).status_code == 204
    assert (await alice.client.get("/api/chats")).json()["items"][0]["unread_count"] == 0
    outsider_read = await carol.client.post(
        f"/api/chats/group/{group['id']}/read", json={"up_to": up_to}
    )
    assert outsider_read.status_code == 404
