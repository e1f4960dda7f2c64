"""Profiles: the privacy matrix on every route, editing, avatars, finding people."""

from __future__ import annotations

import pytest

from tests import images

DETAILS = {"email", "date_of_birth", "about_me", "created_at"}
LISTS = ("posts", "followers", "following", "activity")


@pytest.fixture
async def cast(alice, bob, carol, new_persona):
    """Alice (public) and Carol (private) are owners; Bob follows both; Dan asked Carol and
    waits; Erin is a stranger."""
    dan = await new_persona("Dan")
    erin = await new_persona("Erin")
    await bob.client.post(f"/api/users/{alice.id}/follow")
    await bob.client.post(f"/api/users/{carol.id}/follow")
    request = (await carol.client.get("/api/follow-requests")).json()["items"][0]
    await carol.client.post(f"/api/follow-requests/{request['id']}/accept")
    await dan.client.post(f"/api/users/{carol.id}/follow")
    return {"alice": alice, "bob": bob, "carol": carol, "dan": dan, "erin": erin}


MATRIX = [
    # (owner, viewer, may view)
    ("alice", "alice", True),
    ("alice", "bob", True),
    ("alice", "dan", True),
    ("alice", "erin", True),
    ("carol", "carol", True),
    ("carol", "bob", True),  # accepted follower
    ("carol", "dan", False),  # pending request
    ("carol", "erin", False),  # stranger
]


@pytest.mark.parametrize(("owner", "viewer", "may_view"), MATRIX)
async def test_profile_privacy_matrix(cast, owner, viewer, may_view):
    owner, viewer = cast[owner], cast[viewer]
    response = await viewer.client.get(f"/api/users/{owner.id}")
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["can_view"] is may_view
    assert {"id", "first_name", "last_name", "nickname", "avatar_url"} <= set(user)
    assert (DETAILS <= set(user)) is may_view
    assert DETAILS.isdisjoint(user) is not may_view
    for name in LISTS:
        listed = await viewer.client.get(f"/api/users/{owner.id}/{name}")
        if may_view:
            assert listed.status_code == 200, name
            assert set(listed.json()) == {"items", "next"}
        else:
            assert listed.status_code == 403, name
            assert listed.json()["error"]["code"] == "private_profile"


async def test_follow_states_as_each_viewer_sees_them(cast):
    carol = cast["carol"]
    states = {
        name: (await cast[name].client.get(f"/api/users/{carol.id}")).json()["user"]["follow_state"]
        for name in ("carol", "bob", "dan", "erin")
    }
    assert states == {"carol": "self", "bob": "following", "dan": "requested", "erin": "none"}


async def test_followers_and_following_lists(cast):
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    following = (await alice.client.get(f"/api/users/{bob.id}/following")).json()
    assert [user["id"] for user in following["items"]] == [carol.id, alice.id]
    assert following["next"] is None
    one = (await alice.client.get(f"/api/users/{bob.id}/following?limit=1")).json()
    assert [user["id"] for user in one["items"]] == [carol.id] and one["next"] == carol.id
    rest = await alice.client.get(f"/api/users/{bob.id}/following?limit=1&before={carol.id}")
    assert [user["id"] for user in rest.json()["items"]] == [alice.id]


async def test_unknown_profile_is_404_and_bad_paging_is_422(alice):
    assert (await alice.client.get("/api/users/424242")).status_code == 404
    assert (await alice.client.get("/api/users/424242/followers")).status_code == 404
    for query in ("limit=0", "limit=101", "limit=x", "before=-1"):
        response = await alice.client.get(f"/api/users/{alice.id}/followers?{query}")
        assert response.status_code == 422, query


async def test_edit_own_profile(alice):
    response = await alice.client.patch(
        "/api/users/me",
        json={"nickname": "ally", "about_me": "  Climber 🧗  ", "first_name": "Alicia"},
    )
    assert response.status_code == 200
    user = response.json()["user"]
    assert (user["nickname"], user["about_me"], user["first_name"]) == (
        "ally",
        "Climber 🧗",
        "Alicia",
    )
    cleared = await alice.client.patch("/api/users/me", json={"nickname": ""})
    assert cleared.json()["user"]["nickname"] is None


@pytest.mark.parametrize(
    "body",
    [{"first_name": ""}, {"nickname": "n" * 51}, {"is_public": "yes"}, {"email": "x@y.z"}],
)
async def test_bad_profile_edits_are_named(alice, body):
    response = await alice.client.patch("/api/users/me", json=body)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == set(body)


async def test_avatar_can_be_set_replaced_and_removed(alice, bob):
    put = await alice.client.put(
        "/api/users/me/avatar", files={"avatar": ("me.gif", images.gif(frames=3), "image/gif")}
    )
    assert put.status_code == 200
    url = put.json()["user"]["avatar_url"]
    assert (await bob.client.get(url)).headers["content-type"] == "image/gif"
    assert (await bob.client.get(f"/api/users/{alice.id}")).json()["user"]["avatar_url"] == url
    removed = await alice.client.delete("/api/users/me/avatar")
    assert removed.json()["user"]["avatar_url"] is None
    # No longer anyone's avatar: only its owner may still fetch it.
    assert (await bob.client.get(url)).status_code == 404
    assert (await alice.client.get(url)).status_code == 200
    bad = await alice.client.put(
        "/api/users/me/avatar", files={"avatar": ("x.png", b"text", "image/png")}
    )
    assert bad.status_code == 415


async def test_find_people_by_name_and_nickname(cast):
    erin = cast["erin"]
    everyone = (await erin.client.get("/api/users")).json()["items"]
    assert len(everyone) == 5
    found = (await erin.client.get("/api/users?q=car")).json()["items"]
    assert [user["id"] for user in found] == [cast["carol"].id]
    assert found[0]["is_public"] is False and found[0]["follow_state"] == "none"
    me = (await erin.client.get("/api/users?q=erin")).json()["items"][0]
    assert me["follow_state"] == "self"
    assert (await erin.client.get("/api/users?q=%25")).json()["items"] == []  # % is literal
    assert (await erin.client.get("/api/users?q=alice example")).json()["items"][0]["id"] == (
        cast["alice"].id
    )
