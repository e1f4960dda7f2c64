"""Edit and delete (SPEC.md, Posts and comments): who may change what, what a change does, and
every refusal (invisible 404, visible but not yours 403, bad changes 422)."""

from __future__ import annotations

import pytest

from tests import images
from tests.http.test_groups import create_group, make_member
from tests.http.test_posts import follow_accepted
from tests.http.test_reactions import comment, made, notifications, react

PHOTO = ("photo.jpg", images.jpeg(), "image/jpeg")


async def edit(persona, post_id: int, **changes):
    return await persona.client.patch(f"/api/posts/{post_id}", json=changes)


async def status(persona, path: str) -> int:
    return (await persona.client.get(path)).status_code


async def test_the_author_edits_the_text_and_it_shows_edited(alice, bob):
    item = await made(alice, "first try")
    assert item["edited_at"] is None
    edited = await edit(alice, item["id"], body="  second try  ")
    assert edited.status_code == 200
    changed = edited.json()["post"]
    assert changed["body"] == "second try" and changed["edited_at"] is not None
    assert changed["privacy"] == "public" and changed["id"] == item["id"]
    seen = (await bob.client.get(f"/api/posts/{item['id']}")).json()["post"]
    assert seen["body"] == "second try" and seen["edited_at"] == changed["edited_at"]
    # Nothing new asked: nothing changes, not even the time of the edit.
    again = (await edit(alice, item["id"], body="second try")).json()["post"]
    assert again["edited_at"] == changed["edited_at"]


async def test_narrowing_the_privacy_takes_effect_everywhere_at_once(alice, bob, carol):
    """Alice's public photo becomes private, for Bob alone: Carol, a follower not chosen, loses
    it on every route at once, its image included."""
    await follow_accepted(bob, alice)
    await follow_accepted(carol, alice)
    item = await made(alice, "sunset", image=PHOTO)
    paths = (
        f"/api/posts/{item['id']}",
        f"/api/posts/{item['id']}/comments",
        item["image_url"],
    )
    for path in paths:
        assert await status(carol, path) == 200
    narrowed = await edit(alice, item["id"], privacy="private", viewer_ids=[bob.id])
    assert narrowed.status_code == 200 and narrowed.json()["post"]["privacy"] == "private"
    for path in paths:
        assert await status(carol, path) == 404, path
        assert await status(bob, path) == 200, path
    for feed in ("/api/feed", "/api/explore", f"/api/users/{alice.id}/posts"):
        listed = (await carol.client.get(feed)).json()["items"]
        assert item["id"] not in [p["id"] for p in listed], feed
    bobs_home = (await bob.client.get("/api/feed")).json()["items"]
    assert item["id"] in [p["id"] for p in bobs_home]
    # And back, wider than before: followers only.
    widened = await edit(alice, item["id"], privacy="almost_private")
    assert widened.json()["post"]["privacy"] == "almost_private"
    assert await status(carol, f"/api/posts/{item['id']}") == 200


async def test_picked_viewers_follow_the_rules_of_creation(alice, bob, carol):
    await follow_accepted(bob, alice)
    item = await made(alice, "notes")
    nobody = await edit(alice, item["id"], privacy="private")
    assert nobody.status_code == 422 and "viewer_ids" in nobody.json()["error"]["fields"]
    stranger = await edit(alice, item["id"], privacy="private", viewer_ids=[bob.id, carol.id])
    assert stranger.status_code == 422
    assert str(carol.id) in stranger.json()["error"]["fields"]["viewer_ids"]
    assert await status(carol, f"/api/posts/{item['id']}") == 200  # nothing changed
    fine = await edit(alice, item["id"], privacy="private", viewer_ids=[bob.id])
    assert fine.status_code == 200
    # Editing the text of a private post keeps its picked viewers.
    await follow_accepted(carol, alice)
    assert (await edit(alice, item["id"], body="new notes")).status_code == 200
    assert await status(bob, f"/api/posts/{item['id']}") == 200
    assert await status(carol, f"/api/posts/{item['id']}") == 404
    # New picks replace the old ones.
    assert (await edit(alice, item["id"], viewer_ids=[carol.id])).status_code == 200
    assert await status(bob, f"/api/posts/{item['id']}") == 404
    assert await status(carol, f"/api/posts/{item['id']}") == 200


async def test_a_group_post_takes_its_text_only(alice, bob):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    item = await made(bob, "in the group", group_id=group["id"])
    for changes in ({"privacy": "public"}, {"viewer_ids": [alice.id]}):
        refused = await edit(bob, item["id"], **changes)
        assert refused.status_code == 422
        assert set(refused.json()["error"]["fields"]) == set(changes)
    fine = await edit(bob, item["id"], body="edited in the group")
    assert fine.status_code == 200 and fine.json()["post"]["group_id"] == group["id"]


async def test_only_a_post_with_an_image_may_lose_its_text(alice):
    with_image = await made(alice, "look", image=PHOTO)
    emptied = await edit(alice, with_image["id"], body="   ")
    assert emptied.status_code == 200 and emptied.json()["post"]["body"] == ""
    text_only = await made(alice, "words")
    refused = await edit(alice, text_only["id"], body="")
    assert refused.status_code == 422 and "body" in refused.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "x" * 5001}, "body"),
        ({"body": 3}, "body"),
        ({"body": "nul \u0000"}, "body"),
        ({"privacy": "secret"}, "privacy"),
        ({"privacy": None}, "privacy"),
        ({"viewer_ids": "1,2"}, "viewer_ids"),
        ({"viewer_ids": [0]}, "viewer_ids"),
        ({"viewer_ids": [True]}, "viewer_ids"),
        ({"author_id": 1}, "author_id"),
    ],
)
async def test_bad_changes_are_422s(alice, changes, field):
    item = await made(alice)
    response = await edit(alice, item["id"], **changes)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]


async def test_who_may_edit_a_post(alice, bob, carol):
    await follow_accepted(bob, alice)
    item = await made(alice, "followers", privacy="almost_private")
    refused = await edit(bob, item["id"], body="mine now")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    hidden = await edit(carol, item["id"], body="mine now")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    assert (await edit(carol, 987654, body="x")).status_code == 404
    text = (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"]["body"]
    assert text == "followers"


async def test_comments_are_edited_by_their_author_only(alice, bob, carol):
    await follow_accepted(bob, alice)
    item = await made(alice, "followers", privacy="almost_private")
    said = await comment(bob, item["id"], "frist")
    path = f"/api/comments/{said['id']}"
    fixed = await bob.client.patch(path, json={"body": "first"})
    assert fixed.status_code == 200
    assert fixed.json()["comment"]["body"] == "first" and fixed.json()["comment"]["edited_at"]
    listed = (await alice.client.get(f"/api/posts/{item['id']}/comments")).json()["items"]
    assert listed[0]["body"] == "first" and listed[0]["edited_at"] is not None
    by_post_author = await alice.client.patch(path, json={"body": "censored"})
    assert by_post_author.status_code == 403
    assert (await carol.client.patch(path, json={"body": "x"})).status_code == 404
    assert (await bob.client.patch(path, json={"body": " "})).status_code == 422
    assert (await bob.client.patch(path, json={"text": "x"})).status_code == 422
    assert (await bob.client.patch(path, content=b"body=x")).status_code == 415


async def test_deleting_a_post_takes_its_comments_reactions_and_notifications(alice, bob):
    item = await made(alice, "short-lived", image=PHOTO)
    said = await comment(bob, item["id"])
    await react(bob, "post", item["id"], "like")
    await react(alice, "comment", said["id"], "love")
    assert len(await notifications(alice, "post_comment")) == 1
    assert len(await notifications(alice)) == 1 and len(await notifications(bob)) == 1

    assert (await alice.client.delete(f"/api/posts/{item['id']}")).status_code == 204
    for path in (
        f"/api/posts/{item['id']}",
        f"/api/posts/{item['id']}/comments",
        f"/api/posts/{item['id']}/reactions",
        f"/api/comments/{said['id']}/reactions",
        item["image_url"],
    ):
        assert await status(bob, path) == 404, path
    assert await notifications(alice, "post_comment") == []
    assert await notifications(alice) == [] and await notifications(bob) == []
    unread = (await alice.client.get("/api/notifications/unread-count")).json()
    assert unread == {"count": 0}
    assert (await alice.client.delete(f"/api/posts/{item['id']}")).status_code == 404


async def test_who_may_delete_posts_in_a_group(alice, bob, carol):
    """Alice created the group; Bob and Carol are members."""
    group = await create_group(alice)
    for member in (bob, carol):
        await make_member(alice, group, member)
    bobs = await made(bob, "by Bob", group_id=group["id"])
    by_member = await carol.client.delete(f"/api/posts/{bobs['id']}")
    assert by_member.status_code == 403
    assert (await alice.client.delete(f"/api/posts/{bobs['id']}")).status_code == 204
    alices = await made(alice, "by Alice", group_id=group["id"])
    assert (await bob.client.delete(f"/api/posts/{alices['id']}")).status_code == 403
    await carol.client.post(f"/api/groups/{group['id']}/leave")
    assert (await carol.client.delete(f"/api/posts/{alices['id']}")).status_code == 404
    assert (await alice.client.delete(f"/api/posts/{alices['id']}")).status_code == 204


async def test_who_may_delete_a_comment(alice, bob, carol, new_persona):
    """On Alice's public post: Bob's comment may go by Bob or Alice, not by Carol. In Dan's
    group, Erin's comment on Bob's post may also go by Dan, the group's creator."""
    item = await made(alice)
    said = await comment(bob, item["id"])
    refused = await carol.client.delete(f"/api/comments/{said['id']}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await alice.client.delete(f"/api/comments/{said['id']}")).status_code == 204
    assert (await bob.client.delete(f"/api/comments/{said['id']}")).status_code == 404
    mine = await comment(bob, item["id"])
    await react(alice, "comment", mine["id"], "like")
    assert len(await notifications(bob)) == 1
    assert (await bob.client.delete(f"/api/comments/{mine['id']}")).status_code == 204
    assert await notifications(bob) == []
    after = (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"]
    assert after["comments_count"] == 0

    dan, erin = await new_persona("Dan"), await new_persona("Erin")
    group = await create_group(dan)
    for member in (bob, erin, carol):
        await make_member(dan, group, member)
    in_group = await made(bob, "group post", group_id=group["id"])
    erins = await comment(erin, in_group["id"])
    assert (await carol.client.delete(f"/api/comments/{erins['id']}")).status_code == 403
    assert (await dan.client.delete(f"/api/comments/{erins['id']}")).status_code == 204
    outsider = await comment(erin, in_group["id"])
    assert (await alice.client.delete(f"/api/comments/{outsider['id']}")).status_code == 404
