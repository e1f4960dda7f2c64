"""Search (SPEC.md, Search): people, groups and posts by full text, word prefixes, newest first;
posts only where the viewer may see them; blocks respected; bad queries are 422s."""

from __future__ import annotations

import pytest

from tests.http.test_blocks import block
from tests.http.test_groups import create_group, make_member
from tests.http.test_posts import follow_accepted
from tests.http.test_reactions import made


async def found(persona, q: str, kind: str, **extra) -> list[int]:
    """Every id found, page after page."""
    seen, before = [], None
    while True:
        params = {"q": q, "type": kind, "limit": 2, **extra}
        if before:
            params["before"] = before
        response = await persona.client.get("/api/search", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        if (before := page["next"]) is None:
            return seen


async def test_people_by_names_and_nickname(alice, bob, new_persona):
    alicia = await new_persona("Alicia", last_name="Climber", nickname="Spider")
    dan = await new_persona("Dan", last_name="Alison")
    assert await found(bob, "ali", "people") == [dan.id, alicia.id, alice.id]
    assert await found(bob, "ALICIA", "people") == [alicia.id]
    assert await found(bob, "spid", "people") == [alicia.id]
    assert await found(bob, "alicia climb", "people") == [alicia.id]
    assert await found(bob, "alice climber", "people") == []  # every word must match
    response = await bob.client.get("/api/search", params={"q": "spider", "type": "people"})
    (person,) = response.json()["items"]
    assert person["first_name"] == "Alicia" and person["follow_state"] == "none"
    assert {"id", "first_name", "last_name", "nickname", "avatar_url"} <= set(person)


async def test_groups_by_title_and_description(alice, bob):
    climbing = await create_group(alice, "Climbing", "Ropes and rocks")
    chess = await create_group(bob, "Chess club", "Knights and rocking chairs")
    assert await found(bob, "rock", "groups") == [chess["id"], climbing["id"]]
    assert await found(bob, "climb", "groups") == [climbing["id"]]
    response = await bob.client.get("/api/search", params={"q": "chess", "type": "groups"})
    (group,) = response.json()["items"]
    assert group["my_state"] == "creator" and group["members_count"] == 1


async def test_posts_only_where_the_viewer_may_see_them(alice, bob, carol, new_persona):
    """Alice posts about the crag four ways; Bob follows her and is picked, Carol follows her
    and is not picked, Dan is a stranger; the group post is for its members, Bob alone."""
    dan = await new_persona("Dan")
    await follow_accepted(bob, alice)
    await follow_accepted(carol, alice)
    group = await create_group(alice, "Crag")
    await make_member(alice, group, bob)
    public = (await made(alice, "Crag day, public", privacy="public"))["id"]
    followers = (await made(alice, "Crag day, followers", privacy="almost_private"))["id"]
    picked = (await made(alice, "Crag day, for Bob", privacy="private", viewers=[bob]))["id"]
    grouped = (await made(alice, "Crag day, in the group", group_id=group["id"]))["id"]
    await made(alice, "Something else entirely")

    assert await found(alice, "crag day", "posts") == [grouped, picked, followers, public]
    assert await found(bob, "crag", "posts") == [grouped, picked, followers, public]
    assert await found(carol, "crag", "posts") == [followers, public]
    assert await found(dan, "crag", "posts") == [public]
    assert await found(dan, "crag followers", "posts") == []
    response = await bob.client.get("/api/search", params={"q": "bob", "type": "posts"})
    (item,) = response.json()["items"]
    assert item["id"] == picked and item["my_reaction"] is None and item["reactions"] == {}


async def test_blocks_hide_people_and_posts_both_ways(alice, bob):
    alices = (await made(alice, "Alice writes about tea"))["id"]
    bobs = (await made(bob, "Bob writes about tea"))["id"]
    assert await found(bob, "tea", "posts") == [bobs, alices]
    await block(alice, bob)
    assert await found(bob, "alice", "people") == []
    assert await found(alice, "bob", "people") == []
    assert await found(bob, "tea", "posts") == [bobs]
    assert await found(alice, "tea", "posts") == [alices]


@pytest.mark.parametrize(
    "q",
    ["a & b | !c", "it's", "back\\slash", "x:*", "(unbalanced", "a <-> b", "'quoted'", "日本語"],
)
async def test_any_text_is_words_never_syntax(alice, q):
    await made(alice, f"a note with {q} inside")
    for kind in ("people", "groups", "posts"):
        response = await alice.client.get("/api/search", params={"q": q, "type": kind})
        assert response.status_code == 200, (q, kind, response.text)
    assert await found(alice, q, "posts") != []


async def test_text_without_words_finds_nothing(alice):
    await made(alice, "!!! ???")
    assert await found(alice, "!!!", "posts") == []


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"type": "posts"}, {"q"}),
        ({"q": "   ", "type": "posts"}, {"q"}),
        ({"q": "x" * 201, "type": "posts"}, {"q"}),
        ({"q": "a\x00b", "type": "posts"}, {"q"}),
        ({"q": "tea"}, {"type"}),
        ({"q": "tea", "type": "messages"}, {"type"}),
        ({"q": "", "type": "all"}, {"q", "type"}),
    ],
)
async def test_bad_searches_are_422s(alice, params, fields):
    response = await alice.client.get("/api/search", params=params)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == fields


async def test_the_longest_query_is_200_code_points(alice):
    longest = "é" * 200
    response = await alice.client.get(
        "/api/search", params={"q": f"  {longest}  ", "type": "posts"}
    )
    assert response.status_code == 200 and response.json() == {"items": [], "next": None}
