"""Groups: browsing, membership by invitation and by request, and every refusal."""

from __future__ import annotations

import pytest

from tests import images
from tests.http.test_posts import post


async def create_group(persona, title="Climbing", description="Ropes and rocks") -> dict:
    response = await persona.client.post(
        "/api/groups", json={"title": title, "description": description}
    )
    assert response.status_code == 201, response.text
    return response.json()["group"]


async def state_in(persona, group) -> str:
    return (await persona.client.get(f"/api/groups/{group['id']}")).json()["group"]["my_state"]


async def invite(inviter, group, invitee):
    return await inviter.client.post(
        f"/api/groups/{group['id']}/invitations", json={"user_id": invitee.id}
    )


async def test_create_browse_and_search(alice, bob):
    climbing = await create_group(alice)
    await create_group(bob, "Chess club", "Knights and bishops")
    assert climbing["creator"]["id"] == alice.id
    assert climbing["members_count"] == 1 and climbing["my_state"] == "creator"
    everything = (await bob.client.get("/api/groups")).json()["items"]
    assert [g["title"] for g in everything] == ["Chess club", "Climbing"]
    found = (await bob.client.get("/api/groups?q=climb")).json()["items"]
    assert [(g["id"], g["my_state"]) for g in found] == [(climbing["id"], "none")]


@pytest.mark.parametrize(
    ("body", "fields"),
    [({"title": " ", "description": "x"}, {"title"}), ({"title": "x"}, {"description"})],
)
async def test_a_group_needs_a_title_and_a_description(alice, body, fields):
    response = await alice.client.post("/api/groups", json=body)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == fields


async def test_invitation_accepted_makes_a_member_who_can_invite(alice, bob, carol):
    group = await create_group(alice)
    created = await invite(alice, group, bob)
    assert created.status_code == 201
    invitation = created.json()["invitation"]
    assert invitation["status"] == "pending"
    assert await state_in(bob, group) == "invited"
    seen_by_bob = (await bob.client.get(f"/api/groups/{group['id']}")).json()["group"]
    assert seen_by_bob["invitation_id"] == invitation["id"]
    (note,) = (await bob.client.get("/api/notifications")).json()["items"]
    assert note["kind"] == "group_invitation" and note["state"] == "pending"
    assert note["subject"] == {
        "invitation_id": invitation["id"],
        "group_id": group["id"],
        "group_title": "Climbing",
    }
    accepted = await bob.client.post(f"/api/group-invitations/{invitation['id']}/accept")
    assert accepted.json() == {"invitation": {"id": invitation["id"], "status": "accepted"}}
    assert await state_in(bob, group) == "member"
    (back,) = (await alice.client.get("/api/notifications")).json()["items"]
    assert back["kind"] == "group_invitation_accepted"
    assert back["subject"] == {
        "group_id": group["id"],
        "group_title": "Climbing",
        "user_id": bob.id,
    }
    # Bob, now a member, invites Carol.
    assert (await invite(bob, group, carol)).status_code == 201
    assert await state_in(carol, group) == "invited"


async def test_invitation_refusals(alice, bob, carol):
    group = await create_group(alice)
    stranger_invites = await invite(bob, group, carol)
    assert stranger_invites.status_code == 403
    assert stranger_invites.json()["error"]["code"] == "forbidden"
    first = (await invite(alice, group, bob)).json()["invitation"]
    again = (await invite(alice, group, bob)).json()["invitation"]
    assert again == first  # inviting twice answers as the first time
    others = await carol.client.post(f"/api/group-invitations/{first['id']}/accept")
    assert others.status_code == 404  # addressed to someone else
    await bob.client.post(f"/api/group-invitations/{first['id']}/accept")
    member = await invite(alice, group, bob)
    assert member.status_code == 409 and member.json()["error"]["code"] == "conflict"
    assert (await invite(alice, group, alice)).status_code == 409
    nobody = await alice.client.post(
        f"/api/groups/{group['id']}/invitations", json={"user_id": 999999}
    )
    assert nobody.status_code == 404
    bad = await alice.client.post(f"/api/groups/{group['id']}/invitations", json={"user_id": "x"})
    assert bad.status_code == 422


async def test_declined_invitation(alice, bob):
    group = await create_group(alice)
    invitation = (await invite(alice, group, bob)).json()["invitation"]
    declined = await bob.client.post(f"/api/group-invitations/{invitation['id']}/decline")
    assert declined.json()["invitation"]["status"] == "declined"
    assert await state_in(bob, group) == "none"
    change = await bob.client.post(f"/api/group-invitations/{invitation['id']}/accept")
    assert change.status_code == 409


async def test_join_request_answered_by_the_creator_only(alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    asked = await carol.client.post(f"/api/groups/{group['id']}/join-requests")
    assert asked.status_code == 201
    request = asked.json()["request"]
    assert await state_in(carol, group) == "requested"
    again = await carol.client.post(f"/api/groups/{group['id']}/join-requests")
    assert again.json()["request"] == request

    assert (await bob.client.get(f"/api/groups/{group['id']}/join-requests")).status_code == 403
    listed = (await alice.client.get(f"/api/groups/{group['id']}/join-requests")).json()
    assert [(r["id"], r["user"]["id"]) for r in listed["items"]] == [(request["id"], carol.id)]
    for outsider in (bob, carol):
        refused = await outsider.client.post(f"/api/group-join-requests/{request['id']}/accept")
        assert refused.status_code == 403
    notes = (await alice.client.get("/api/notifications")).json()["items"]
    join_note = next(n for n in notes if n["kind"] == "group_join_request")
    assert join_note["subject"]["request_id"] == request["id"] and join_note["state"] == "pending"

    accepted = await alice.client.post(f"/api/group-join-requests/{request['id']}/accept")
    assert accepted.json()["request"]["status"] == "accepted"
    assert await state_in(carol, group) == "member"
    kinds = [n["kind"] for n in (await carol.client.get("/api/notifications")).json()["items"]]
    assert kinds == ["group_join_accepted"]
    member_asks = await carol.client.post(f"/api/groups/{group['id']}/join-requests")
    assert member_asks.status_code == 409


async def test_a_join_request_withdrawn_by_its_sender_only(alice, bob, carol):
    group = await create_group(alice)
    url = f"/api/groups/{group['id']}/join-requests"
    request = (await carol.client.post(url)).json()["request"]
    await bob.client.post(url)

    # Someone else's DELETE withdraws only their own request, never carol's.
    assert (await bob.client.delete(url)).status_code == 204
    assert await state_in(carol, group) == "requested"

    assert (await carol.client.delete(url)).status_code == 204
    assert await state_in(carol, group) == "none"
    assert (await alice.client.get(url)).json()["items"] == []
    kinds = [n["kind"] for n in (await alice.client.get("/api/notifications")).json()["items"]]
    assert "group_join_request" not in kinds
    # The creator can no longer let carol in through the withdrawn request.
    late = await alice.client.post(f"/api/group-join-requests/{request['id']}/accept")
    assert late.status_code == 404
    assert await state_in(carol, group) == "none"

    assert (await carol.client.delete(url)).status_code == 204  # nothing left to withdraw
    assert (await carol.client.delete("/api/groups/999999/join-requests")).status_code == 404
    asked_again = await carol.client.post(url)
    assert asked_again.status_code == 201 and asked_again.json()["request"]["id"] != request["id"]


async def make_member(creator, group, person) -> None:
    invitation = (await invite(creator, group, person)).json()["invitation"]
    await person.client.post(f"/api/group-invitations/{invitation['id']}/accept")


async def test_leaving(alice, bob):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    creator_leaves = await alice.client.post(f"/api/groups/{group['id']}/leave")
    assert creator_leaves.status_code == 409
    assert (await bob.client.post(f"/api/groups/{group['id']}/leave")).status_code == 204
    assert await state_in(bob, group) == "none"
    assert (await state_in(alice, group)) == "creator"


async def test_group_content_is_for_members_only(alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    inside = await post(bob, "inside", group_id=group["id"])
    assert inside.status_code == 201
    item = inside.json()["post"]
    assert item["group_id"] == group["id"]
    outsider_posts = await post(carol, "let me in", group_id=group["id"])
    assert outsider_posts.status_code == 403
    assert (await post(carol, "x", group_id=424242)).status_code == 404

    for member in (alice, bob):
        listed = (await member.client.get(f"/api/groups/{group['id']}/posts")).json()["items"]
        assert [p["id"] for p in listed] == [item["id"]]
        feed = (await member.client.get("/api/feed")).json()["items"]
        assert item["id"] in [p["id"] for p in feed]
        members = (await member.client.get(f"/api/groups/{group['id']}/members")).json()
        assert {m["id"] for m in members["items"]} == {alice.id, bob.id}

    for path in (
        f"/api/groups/{group['id']}/posts",
        f"/api/groups/{group['id']}/members",
        f"/api/groups/{group['id']}/events",
        f"/api/posts/{item['id']}",
        f"/api/posts/{item['id']}/comments",
    ):
        assert (await carol.client.get(path)).status_code == 404, path
    assert item["id"] not in [
        p["id"] for p in (await carol.client.get("/api/feed")).json()["items"]
    ]
    # And it is gone for a member who leaves.
    await bob.client.post(f"/api/groups/{group['id']}/leave")
    assert (await bob.client.get(f"/api/groups/{group['id']}/posts")).status_code == 404


async def test_an_author_who_leaves_loses_their_group_post_with_the_rest(alice, bob):
    """Group posts and their comments are for members only, their authors' too: Bob, who
    posted in Alice's group and left it, no longer reads what members say under his post, nor
    answers them, nor hears of it; his post leaves his Home and his profile list. Alice, still a
    member, keeps all of it."""
    group = await create_group(alice)
    await make_member(alice, group, bob)
    image = ("bob.png", images.png(color=(1, 2, 3, 255)), "image/png")
    made = await post(bob, "mine, in the group", group_id=group["id"], image=image)
    item = made.json()["post"]
    assert (await bob.client.post(f"/api/groups/{group['id']}/leave")).status_code == 204

    said = await alice.client.post(
        f"/api/posts/{item['id']}/comments",
        data={"body": "for members"},
        files={"image": ("alice.png", images.png(color=(9, 8, 7, 255)), "image/png")},
    )
    assert said.status_code == 201
    members_comment = said.json()["comment"]
    for path in (
        f"/api/posts/{item['id']}",
        f"/api/posts/{item['id']}/comments",
        f"/api/posts/{item['id']}/reactions",
        f"/api/comments/{members_comment['id']}/reactions",
        members_comment["image_url"],
    ):
        assert (await bob.client.get(path)).status_code == 404, path
        assert (await alice.client.get(path)).status_code == 200, path
    writes = (
        bob.client.post(f"/api/posts/{item['id']}/comments", data={"body": "still here"}),
        bob.client.put(f"/api/posts/{item['id']}/reaction", json={"kind": "like"}),
        bob.client.put(f"/api/comments/{members_comment['id']}/reaction", json={"kind": "wow"}),
        bob.client.patch(f"/api/posts/{item['id']}", json={"body": "edited after leaving"}),
    )
    for write in writes:
        answer = await write
        assert answer.status_code == 404, answer.text
    for feed in ("/api/feed", f"/api/users/{bob.id}/posts"):
        listed = (await bob.client.get(feed)).json()["items"]
        assert item["id"] not in [p["id"] for p in listed], feed
    search = await bob.client.get("/api/search", params={"q": "mine", "type": "posts"})
    assert search.json()["items"] == []
    # Not told of the members' comment either; his own image stays his to fetch (an upload is
    # always visible to its owner, and it is in his data export).
    told = (await bob.client.get("/api/notifications")).json()["items"]
    assert [n["kind"] for n in told if n["kind"] == "post_comment"] == []
    assert (await bob.client.get(item["image_url"])).status_code == 200
    assert (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"]["body"] == (
        "mine, in the group"
    )
