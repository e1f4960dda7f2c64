"""Posts and comments: the visibility matrix on every route, paging, comments, notifications."""

from __future__ import annotations

import pytest

from tests import images


async def post(persona, body="hello", *, privacy=None, viewers=(), image=None, group_id=None):
    data = {"body": body}
    if privacy:
        data["privacy"] = privacy
    if viewers:
        data["viewer_ids"] = ",".join(str(v.id) for v in viewers)
    if group_id:
        data["group_id"] = str(group_id)
    files = {"image": image} if image else {"image": ("", b"", "application/octet-stream")}
    return await persona.client.post("/api/posts", data=data, files=files)


async def follow_accepted(follower, author):
    await follower.client.post(f"/api/users/{author.id}/follow")
    requests = (await author.client.get("/api/follow-requests")).json()["items"]
    for request in requests:
        await author.client.post(f"/api/follow-requests/{request['id']}/accept")


@pytest.fixture
async def scene(new_persona):
    """Alice posts three ways. Bob and Carol follow her; she picks Bob alone for the private
    post. Dan is a stranger."""
    alice = await new_persona("Alice")
    bob = await new_persona("Bob")
    carol = await new_persona("Carol")
    dan = await new_persona("Dan")
    for follower in (bob, carol):
        await follow_accepted(follower, alice)
    photo = ("photo.jpg", images.jpeg(), "image/jpeg")
    private = (await post(alice, "for Bob", privacy="private", viewers=[bob], image=photo)).json()
    almost = (await post(alice, "for followers", privacy="almost_private")).json()
    gif = ("wave.gif", images.gif(frames=3), "image/gif")
    public = (await post(alice, "for everyone", privacy="public", image=gif)).json()
    return {
        "people": {"alice": alice, "bob": bob, "carol": carol, "dan": dan},
        "posts": {
            "private": private["post"],
            "almost_private": almost["post"],
            "public": public["post"],
        },
    }


VISIBLE = {
    "alice": {"private", "almost_private", "public"},
    "bob": {"private", "almost_private", "public"},
    "carol": {"almost_private", "public"},
    "dan": {"public"},
}


@pytest.mark.parametrize("viewer", sorted(VISIBLE))
async def test_visibility_matrix_on_every_route(scene, viewer):
    person = scene["people"][viewer]
    alice = scene["people"]["alice"]
    by_id = {p["id"]: name for name, p in scene["posts"].items()}
    # Home holds Alice's posts for herself and her followers, each as its privacy allows; a
    # stranger finds her public post in Explore, not at Home (SPEC.md, Home feed).
    home = (await person.client.get("/api/feed")).json()["items"]
    in_home = VISIBLE[viewer] if viewer != "dan" else set()
    assert {by_id[p["id"]] for p in home if p["id"] in by_id} == in_home
    explore = (await person.client.get("/api/explore")).json()["items"]
    assert {by_id[p["id"]] for p in explore} == {"public"}
    profile = (await person.client.get(f"/api/users/{alice.id}/posts")).json()["items"]
    assert {by_id[p["id"]] for p in profile} == VISIBLE[viewer]
    for name, item in scene["posts"].items():
        expected = 200 if name in VISIBLE[viewer] else 404
        assert (await person.client.get(f"/api/posts/{item['id']}")).status_code == expected
        comments = await person.client.get(f"/api/posts/{item['id']}/comments")
        assert comments.status_code == expected
        written = await person.client.post(
            f"/api/posts/{item['id']}/comments", data={"body": "hi"}, files={"image": ("", b"")}
        )
        assert written.status_code == (201 if expected == 200 else 404)
        if item["image_url"]:
            assert (await person.client.get(item["image_url"])).status_code == expected


@pytest.mark.parametrize("how", ["unfollows", "is removed"])
async def test_a_chosen_viewer_who_stops_following_loses_sight_of_the_private_post(scene, how):
    alice, bob = scene["people"]["alice"], scene["people"]["bob"]
    private = scene["posts"]["private"]
    assert (await bob.client.get(f"/api/posts/{private['id']}")).status_code == 200
    if how == "unfollows":
        await bob.client.delete(f"/api/users/{alice.id}/follow")
    else:
        await alice.client.delete(f"/api/users/{bob.id}/follower")
    assert (await bob.client.get(f"/api/posts/{private['id']}")).status_code == 404
    assert (await bob.client.get(private["image_url"])).status_code == 404
    feed = (await bob.client.get("/api/feed")).json()["items"]
    assert private["id"] not in {item["id"] for item in feed}
    # The author's choice stands: once he follows her again, he is a chosen follower again.
    await follow_accepted(bob, alice)
    assert (await bob.client.get(f"/api/posts/{private['id']}")).status_code == 200


async def test_not_found_answers_are_indistinguishable(scene):
    dan = scene["people"]["dan"]
    hidden = await dan.client.get(f"/api/posts/{scene['posts']['private']['id']}")
    missing = await dan.client.get("/api/posts/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


async def test_post_shape_and_default_privacy(alice, carol):
    created = await post(alice, "  hello world  ")
    assert created.status_code == 201
    item = created.json()["post"]
    assert item["body"] == "hello world" and item["privacy"] == "public"
    assert item["author"]["id"] == alice.id and item["comments_count"] == 0
    assert item["group_id"] is None and item["image_url"] is None
    # A private profile's default is almost_private.
    assert (await post(carol, "quiet")).json()["post"]["privacy"] == "almost_private"


async def test_private_post_rules(alice, bob, new_persona):
    stranger = await new_persona("Stranger")
    await follow_accepted(bob, alice)
    nobody = await post(alice, "x", privacy="private")
    assert nobody.status_code == 422 and "viewer_ids" in nobody.json()["error"]["fields"]
    not_follower = await post(alice, "x", privacy="private", viewers=[bob, stranger])
    assert not_follower.status_code == 422
    assert str(stranger.id) in not_follower.json()["error"]["fields"]["viewer_ids"]
    fine = await post(alice, "x", privacy="private", viewers=[bob])
    assert fine.status_code == 201 and fine.json()["post"]["privacy"] == "private"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "x", "privacy": "secret"}, "privacy"),
        ({"body": "x", "privacy": "private", "viewer_ids": "abc"}, "viewer_ids"),
        ({"body": "x", "group_id": "-3"}, "group_id"),
    ],
)
async def test_bad_posts_are_refused(alice, data, field):
    response = await alice.client.post("/api/posts", data=data, files={"image": ("", b"")})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


async def test_an_image_alone_is_a_post_and_bad_images_are_refused(alice, bob):
    only_image = await post(alice, "", image=("a.png", images.png(), "image/png"))
    assert only_image.status_code == 201
    url = only_image.json()["post"]["image_url"]
    assert (await bob.client.get(url)).headers["content-type"] == "image/png"
    fake = await post(alice, "x", image=("a.png", b"plain text", "image/png"))
    assert fake.status_code == 415


async def test_paging_returns_every_visible_post_exactly_once(alice, bob):
    await follow_accepted(bob, alice)
    created = []
    for n in range(7):
        privacy = ("public", "almost_private", "private")[n % 3]
        response = await post(alice, f"post {n}", privacy=privacy, viewers=[bob])
        created.append(response.json()["post"]["id"])
    seen, before = [], None
    while True:
        query = "?limit=3" + (f"&before={before}" if before else "")
        page = (await bob.client.get(f"/api/feed{query}")).json()
        seen += [p["id"] for p in page["items"]]
        if (before := page["next"]) is None:
            break
    assert seen == sorted(created, reverse=True)


async def test_only_the_author_deletes(alice, bob):
    item = (await post(alice, "mine")).json()["post"]
    refused = await bob.client.delete(f"/api/posts/{item['id']}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await alice.client.delete(f"/api/posts/{item['id']}")).status_code == 204
    assert (await bob.client.get(f"/api/posts/{item['id']}")).status_code == 404


async def test_comments_with_images_and_the_authors_notification(alice, bob):
    item = (await post(alice, "climbing today")).json()["post"]
    gif = ("cheer.gif", images.gif(frames=2), "image/gif")
    written = await bob.client.post(
        f"/api/posts/{item['id']}/comments", data={"body": "nice 🧗"}, files={"image": gif}
    )
    assert written.status_code == 201
    comment = written.json()["comment"]
    assert comment["body"] == "nice 🧗" and comment["author"]["id"] == bob.id
    assert comment["post_id"] == item["id"] and comment["image_url"]
    listed = (await alice.client.get(f"/api/posts/{item['id']}/comments")).json()["items"]
    assert [c["id"] for c in listed] == [comment["id"]]
    assert (await alice.client.get(f"/api/posts/{item['id']}")).json()["post"][
        "comments_count"
    ] == 1
    (note,) = (await alice.client.get("/api/notifications")).json()["items"]
    assert note["kind"] == "post_comment"
    assert note["subject"] == {"post_id": item["id"], "comment_id": comment["id"]}
    # Commenting on one's own post notifies nobody.
    await alice.client.post(
        f"/api/posts/{item['id']}/comments", data={"body": "thanks"}, files={"image": ("", b"")}
    )
    assert len((await alice.client.get("/api/notifications")).json()["items"]) == 1
    empty = await bob.client.post(
        f"/api/posts/{item['id']}/comments", data={"body": " "}, files={"image": ("", b"")}
    )
    assert empty.status_code == 422


async def test_activity_lists_posts_and_comments(alice, bob):
    item = (await post(alice, "first")).json()["post"]
    await bob.client.post(
        f"/api/posts/{item['id']}/comments", data={"body": "hey"}, files={"image": ("", b"")}
    )
    activity = (await alice.client.get(f"/api/users/{bob.id}/activity")).json()["items"]
    assert [entry["kind"] for entry in activity] == ["comment"]
    assert activity[0]["comment"]["post_id"] == item["id"]
    mine = (await bob.client.get(f"/api/users/{alice.id}/activity")).json()["items"]
    assert mine[0]["kind"] == "post" and mine[0]["post"]["id"] == item["id"]
