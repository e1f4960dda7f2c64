"""Home and Explore (SPEC.md, Posts and comments: Home feed): who finds which post where."""

from __future__ import annotations

from tests.http.test_groups import create_group, make_member
from tests.http.test_posts import follow_accepted, post


async def ids(persona, path: str) -> list[int]:
    """Every post id of a feed, page after page (small pages, to cross the cursor often)."""
    seen, before = [], None
    while True:
        query = "?limit=2" + (f"&before={before}" if before else "")
        page = (await persona.client.get(path + query)).json()
        seen += [item["id"] for item in page["items"]]
        if (before := page["next"]) is None:
            return seen


async def made(persona, body, **options) -> int:
    response = await post(persona, body, **options)
    assert response.status_code == 201, response.text
    return response.json()["post"]["id"]


async def test_home_is_mine_followed_and_my_groups_newest_first(new_persona):
    """Dan reads Home. He follows Alice (public) and Carol (private, accepted); Bob is a
    stranger; Erin asked Carol's leave too late (still pending). Dan is in the group "Crag",
    Bob posts there; Alice also posts in "Sea", which Dan is not in."""
    alice = await new_persona("Alice")
    bob = await new_persona("Bob")
    carol = await new_persona("Carol", is_public=False)
    dan = await new_persona("Dan")
    erin = await new_persona("Erin")
    for followed in (alice, carol):
        await follow_accepted(dan, followed)
    await erin.client.post(f"/api/users/{carol.id}/follow")  # pending, never accepted
    await follow_accepted(erin, alice)
    crag, sea = await create_group(bob, "Crag"), await create_group(alice, "Sea")
    await make_member(bob, crag, dan)

    expected = []
    expected.append(await made(alice, "public", privacy="public"))
    expected.append(await made(carol, "followers", privacy="almost_private"))
    for_erin = await made(alice, "for Erin", privacy="private", viewers=[erin])
    expected.append(await made(alice, "for Dan", privacy="private", viewers=[dan]))
    strangers = await made(bob, "stranger's public post", privacy="public")
    expected.append(await made(bob, "in Crag", group_id=crag["id"]))
    elsewhere = await made(alice, "in Sea", group_id=sea["id"])
    expected.append(await made(dan, "mine, followers only", privacy="almost_private"))
    expected.append(await made(dan, "mine in Crag", group_id=crag["id"]))

    home = await ids(dan, "/api/feed")
    assert home == sorted(expected, reverse=True)
    assert not {for_erin, strangers, elsewhere} & set(home)
    # Erin follows Alice but not (yet) Carol: Carol's post is not hers to see.
    assert set(await ids(erin, "/api/feed")) == {expected[0], for_erin}


async def test_home_follows_the_follow(alice, bob):
    first = await made(alice, "before")
    assert await ids(bob, "/api/feed") == []
    await follow_accepted(bob, alice)
    assert await ids(bob, "/api/feed") == [first]
    await bob.client.delete(f"/api/users/{alice.id}/follow")
    assert await ids(bob, "/api/feed") == []


async def test_explore_is_every_public_post_outside_groups(alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    await follow_accepted(bob, carol)
    public = [await made(alice, "a"), await made(carol, "c", privacy="public")]
    await made(alice, "in the group", group_id=group["id"])
    await made(carol, "followers", privacy="almost_private")
    await made(carol, "picked", privacy="private", viewers=[bob])
    public.append(await made(bob, "mine"))
    for reader in (alice, bob, carol):
        assert await ids(reader, "/api/explore") == sorted(public, reverse=True)


async def test_feeds_page_and_refuse_bad_cursors(alice):
    for path in ("/api/feed", "/api/explore"):
        for query in ("?before=x", "?limit=0", "?limit=101", "?before=-1"):
            response = await alice.client.get(path + query)
            assert response.status_code == 422, (path, query)
