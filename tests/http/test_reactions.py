"""Reactions on posts and comments: one per person, counts per kind, who reacted, the author's
notification once per person, and every refusal."""

from __future__ import annotations

import pytest
import trio

from tests.http.test_account_deletion import delete_me
from tests.http.test_posts import follow_accepted, post


async def made(persona, body="hello", **options) -> dict:
    response = await post(persona, body, **options)
    assert response.status_code == 201, response.text
    return response.json()["post"]


async def comment(persona, post_id: int, body="nice") -> dict:
    response = await persona.client.post(
        f"/api/posts/{post_id}/comments", data={"body": body}, files={"image": ("", b"")}
    )
    assert response.status_code == 201, response.text
    return response.json()["comment"]


async def react(persona, what: str, target_id: int, kind: str):
    return await persona.client.put(f"/api/{what}s/{target_id}/reaction", json={"kind": kind})


async def reactors(persona, what: str, target_id: int, query: str = "") -> list[tuple[int, str]]:
    seen, before = [], None
    while True:
        params = "?limit=2" + (f"&before={before}" if before else "") + query
        page = (await persona.client.get(f"/api/{what}s/{target_id}/reactions{params}")).json()
        seen += [(item["user"]["id"], item["kind"]) for item in page["items"]]
        if (before := page["next"]) is None:
            return seen


async def notifications(persona, kind="reaction") -> list[dict]:
    items = (await persona.client.get("/api/notifications")).json()["items"]
    return [item for item in items if item["kind"] == kind]


async def test_one_reaction_per_person_changed_or_withdrawn(alice, bob, carol):
    item = await made(alice)
    assert item["reactions"] == {} and item["my_reaction"] is None

    liked = await react(bob, "post", item["id"], "like")
    assert liked.status_code == 200
    assert liked.json()["post"]["reactions"] == {"like": 1}
    assert liked.json()["post"]["my_reaction"] == "like"
    await react(carol, "post", item["id"], "like")
    again = await react(bob, "post", item["id"], "like")  # the same twice: as the first time
    assert again.json()["post"]["reactions"] == {"like": 2}

    changed = (await react(bob, "post", item["id"], "haha")).json()["post"]
    assert changed["reactions"] == {"like": 1, "haha": 1} and changed["my_reaction"] == "haha"
    # Each reader sees the same counts and their own reaction.
    for reader, mine in ((alice, None), (bob, "haha"), (carol, "like")):
        seen = (await reader.client.get(f"/api/posts/{item['id']}")).json()["post"]
        assert seen["reactions"] == {"like": 1, "haha": 1} and seen["my_reaction"] == mine

    assert (await bob.client.delete(f"/api/posts/{item['id']}/reaction")).status_code == 204
    assert (await bob.client.delete(f"/api/posts/{item['id']}/reaction")).status_code == 204
    seen = (await bob.client.get(f"/api/posts/{item['id']}")).json()["post"]
    assert seen["reactions"] == {"like": 1} and seen["my_reaction"] is None


async def test_every_list_of_posts_carries_counts_and_my_reaction(alice, bob):
    await follow_accepted(bob, alice)
    item = await made(alice)
    await react(bob, "post", item["id"], "wow")
    await react(alice, "post", item["id"], "love")
    for path in ("/api/feed", "/api/explore", f"/api/users/{alice.id}/posts"):
        for reader, mine in ((alice, "love"), (bob, "wow")):
            (listed,) = (await reader.client.get(path)).json()["items"]
            assert listed["reactions"] == {"love": 1, "wow": 1}, path
            assert listed["my_reaction"] == mine, path


async def test_comment_reactions(alice, bob, carol):
    item = await made(alice)
    said = await comment(bob, item["id"])
    assert said["reactions"] == {} and said["my_reaction"] is None
    reacted = await react(carol, "comment", said["id"], "sad")
    assert reacted.status_code == 200
    assert reacted.json()["comment"]["reactions"] == {"sad": 1}
    assert reacted.json()["comment"]["my_reaction"] == "sad"
    await react(alice, "comment", said["id"], "sad")
    listed = (await bob.client.get(f"/api/posts/{item['id']}/comments")).json()["items"]
    assert listed[0]["reactions"] == {"sad": 2} and listed[0]["my_reaction"] is None
    mine = (await carol.client.get(f"/api/posts/{item['id']}/comments")).json()["items"]
    assert mine[0]["my_reaction"] == "sad"
    assert await reactors(bob, "comment", said["id"]) == [(alice.id, "sad"), (carol.id, "sad")]
    assert (await carol.client.delete(f"/api/comments/{said['id']}/reaction")).status_code == 204
    # The post's own counts are not the comment's.
    seen = (await bob.client.get(f"/api/posts/{item['id']}")).json()["post"]
    assert seen["reactions"] == {}


async def test_who_reacted_pages_newest_first_and_filters_by_kind(alice, new_persona):
    item = await made(alice)
    people = [await new_persona(f"Reader{n}") for n in range(5)]
    kinds = ["like", "love", "like", "angry", "like"]
    for person, kind in zip(people, kinds, strict=True):
        await react(person, "post", item["id"], kind)
    newest_first = [(p.id, k) for p, k in zip(people, kinds, strict=True)][::-1]
    assert await reactors(alice, "post", item["id"]) == newest_first
    likes = [entry for entry in newest_first if entry[1] == "like"]
    assert await reactors(alice, "post", item["id"], "&kind=like") == likes
    # A change of kind keeps the person's place; a withdrawal takes them off the list.
    await react(people[0], "post", item["id"], "wow")
    await people[4].client.delete(f"/api/posts/{item['id']}/reaction")
    assert await reactors(alice, "post", item["id"]) == [
        (people[3].id, "angry"),
        (people[2].id, "like"),
        (people[1].id, "love"),
        (people[0].id, "wow"),
    ]
    counts = (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"]["reactions"]
    assert counts == {"wow": 1, "love": 1, "like": 1, "angry": 1}


async def test_the_author_is_told_once_per_person_and_never_of_their_own(alice, bob, carol):
    item = await made(alice)
    await react(alice, "post", item["id"], "like")
    assert await notifications(alice) == []
    await react(bob, "post", item["id"], "like")
    await react(bob, "post", item["id"], "love")
    await bob.client.delete(f"/api/posts/{item['id']}/reaction")
    await react(bob, "post", item["id"], "haha")
    (note,) = await notifications(alice)
    assert note["actor"]["id"] == bob.id
    assert note["subject"] == {"post_id": item["id"], "comment_id": None, "reaction": "like"}

    said = await comment(carol, item["id"])
    await react(bob, "comment", said["id"], "wow")
    await react(bob, "comment", said["id"], "sad")
    (on_comment,) = await notifications(carol)
    assert on_comment["subject"] == {
        "post_id": item["id"],
        "comment_id": said["id"],
        "reaction": "wow",
    }
    assert len(await notifications(alice)) == 1  # the post's author hears nothing of it


async def test_counts_stay_exact_when_many_react_at_once(alice, new_persona):
    item = await made(alice)
    people = [await new_persona(f"Crowd{n}") for n in range(12)]
    kinds = ["like", "love", "haha", "wow", "sad", "angry"]

    async def react_twice(n: int, person) -> None:
        await react(person, "post", item["id"], kinds[n % 6])
        await react(person, "post", item["id"], kinds[(n + 1) % 6])

    async with trio.open_nursery() as nursery:
        for n, person in enumerate(people):
            nursery.start_soon(react_twice, n, person)
    seen = (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"]["reactions"]
    assert seen == {kind: 2 for kind in kinds}
    assert len(await notifications(alice)) == 12


@pytest.mark.parametrize("body", [{"kind": "meh"}, {"kind": "LIKE"}, {"kind": 1}, {}, {"x": 1}])
async def test_an_unknown_kind_is_a_422(alice, bob, body):
    item = await made(alice)
    said = await comment(alice, item["id"])
    for what, target in (("post", item["id"]), ("comment", said["id"])):
        response = await bob.client.put(f"/api/{what}s/{target}/reaction", json=body)
        assert response.status_code == 422
        assert "kind" in response.json()["error"]["fields"]
        listed = await bob.client.get(f"/api/{what}s/{target}/reactions?kind=meh")
        assert listed.status_code == 422


async def test_invisible_posts_and_comments_are_404_everywhere(alice, bob, carol):
    await follow_accepted(bob, alice)
    hidden = await made(alice, "for Bob", privacy="private", viewers=[bob])
    said = await comment(bob, hidden["id"])
    for what, target in (("post", hidden["id"]), ("comment", said["id"])):
        base = f"/api/{what}s/{target}"
        for response in (
            await react(carol, what, target, "like"),
            await carol.client.delete(f"{base}/reaction"),
            await carol.client.get(f"{base}/reactions"),
        ):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
    assert (await react(carol, "post", 987654, "like")).status_code == 404
    assert (await react(carol, "comment", 987654, "like")).status_code == 404


async def test_a_deleted_accounts_reactions_leave_the_counts(alice, bob, carol):
    item = await made(alice)
    said = await comment(alice, item["id"])
    for person, kind in ((bob, "like"), (carol, "love")):
        await react(person, "post", item["id"], kind)
        await react(person, "comment", said["id"], kind)
    assert (await delete_me(carol)).status_code == 204
    seen = (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"]
    assert seen["reactions"] == {"like": 1}
    listed = (await alice.client.get(f"/api/posts/{item['id']}/comments")).json()["items"]
    assert listed[0]["reactions"] == {"like": 1}
    assert await reactors(alice, "post", item["id"]) == [(bob.id, "like")]
