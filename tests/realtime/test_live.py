"""Live feeds and posts over real sockets (API.md, WebSocket: `watch` and the post.* and
comment.* frames): new posts reach the sockets watching a feed they belong to, and comments,
counts, edits and deletions the sockets watching the post; never anyone who may not see it."""

from __future__ import annotations

import json

import pytest

from tests.http.test_account_deletion import delete_me
from tests.http.test_blocks import block
from tests.http.test_editing import edit
from tests.http.test_groups import create_group, make_member
from tests.http.test_posts import follow_accepted
from tests.http.test_reactions import comment, made, react
from tests.realtime.wsclient import (
    assert_no_live_frame,
    next_frame,
    open_socket,
    queued_live_frames,
    watch,
)

EVERY_FEED = ("home", "explore")


async def test_a_new_post_reaches_the_feeds_it_belongs_to(server, alice, bob, carol):
    """Bob follows Alice; Carol does not. All three watch Home and Explore; Carol also watches
    Alice's profile."""
    await follow_accepted(bob, alice)
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, bob) as bob_tab,
        open_socket(server, carol) as carol_tab,
    ):
        for tab in (alice_tab, bob_tab):
            await watch(tab, EVERY_FEED)
        await watch(carol_tab, (*EVERY_FEED, f"user:{alice.id}"))
        item = await made(alice, "hello, live", privacy="public")
        expected = {key: value for key, value in item.items() if key != "my_reaction"}
        for tab in (alice_tab, bob_tab):
            home = await next_frame(tab, type="post.new")
            explore = await next_frame(tab, type="post.new")
            assert {home["feed"], explore["feed"]} == {"home", "explore"}
            assert home["post"] == explore["post"] == expected
            assert "my_reaction" not in home["post"]
        frames = [await next_frame(carol_tab, type="post.new") for _ in range(2)]
        assert {frame["feed"] for frame in frames} == {"explore", f"user:{alice.id}"}
        await assert_no_live_frame(carol_tab)  # not at Home: she does not follow Alice

        followers_only = await made(alice, "for followers", privacy="almost_private")
        assert (await next_frame(bob_tab, type="post.new"))["post"]["id"] == followers_only["id"]
        await assert_no_live_frame(bob_tab)  # at Home only, not in Explore
        await assert_no_live_frame(carol_tab)


async def test_only_a_chosen_follower_hears_of_a_private_post(
    server, alice, bob, carol, new_persona
):
    """Alice's private post is for Bob. Carol follows Alice but is not chosen; Dan does not
    follow her. All three watch the same feeds and, having guessed its id, the post."""
    dan = await new_persona("Dan")
    for follower in (bob, carol):
        await follow_accepted(follower, alice)
    feeds = (*EVERY_FEED, f"user:{alice.id}")
    async with (
        open_socket(server, bob) as bob_tab,
        open_socket(server, carol) as carol_tab,
        open_socket(server, dan) as dan_tab,
    ):
        for tab in (bob_tab, carol_tab, dan_tab):
            await watch(tab, feeds)
        item = await made(alice, "for Bob", privacy="private", viewers=[bob])
        frames = [await next_frame(bob_tab, type="post.new") for _ in range(2)]
        assert {frame["feed"] for frame in frames} == {"home", f"user:{alice.id}"}
        for tab in (bob_tab, carol_tab, dan_tab):
            await watch(tab, feeds, posts=[item["id"]])
        said = await comment(alice, item["id"], "a private word")
        new = (await next_frame(bob_tab, type="comment.new"))["comment"]
        assert new == {key: value for key, value in said.items() if key != "my_reaction"}
        counts = await next_frame(bob_tab, type="post.counts")
        assert counts == {
            "type": "post.counts",
            "post_id": item["id"],
            "comments_count": 1,
            "reactions": {},
        }
        await react(bob, "post", item["id"], "love")
        assert (await next_frame(bob_tab, type="post.counts"))["reactions"] == {"love": 1}
        await react(bob, "comment", said["id"], "wow")
        assert (await next_frame(bob_tab, type="comment.counts")) == {
            "type": "comment.counts",
            "comment_id": said["id"],
            "reactions": {"wow": 1},
        }
        await edit(alice, item["id"], body="for Bob, edited")
        edited = await next_frame(bob_tab, type="post.edited")
        assert edited["post"]["body"] == "for Bob, edited" and "my_reaction" not in edited["post"]
        await alice.client.patch(f"/api/comments/{said['id']}", json={"body": "edited word"})
        assert (await next_frame(bob_tab, type="comment.edited"))["comment"]["body"] == (
            "edited word"
        )
        await alice.client.delete(f"/api/comments/{said['id']}")
        assert (await next_frame(bob_tab, type="comment.deleted")) == {
            "type": "comment.deleted",
            "post_id": item["id"],
            "comment_id": said["id"],
        }
        assert (await next_frame(bob_tab, type="post.counts"))["comments_count"] == 0
        await alice.client.delete(f"/api/posts/{item['id']}")
        assert (await next_frame(bob_tab, type="post.deleted")) == {
            "type": "post.deleted",
            "post_id": item["id"],
        }
        for tab in (carol_tab, dan_tab):
            await assert_no_live_frame(tab)


async def test_those_who_lose_sight_of_an_edited_post_see_it_go(server, alice, bob, carol):
    for follower in (bob, carol):
        await follow_accepted(follower, alice)
    item = await made(alice, "for followers", privacy="almost_private")
    async with open_socket(server, bob) as bob_tab, open_socket(server, carol) as carol_tab:
        for tab in (bob_tab, carol_tab):
            await watch(tab, ("home",), posts=[item["id"]])
        await edit(alice, item["id"], privacy="private", viewer_ids=[bob.id])
        assert (await next_frame(bob_tab, type="post.edited"))["post"]["privacy"] == "private"
        assert await queued_live_frames(carol_tab) == [
            {"type": "post.deleted", "post_id": item["id"]}
        ]
        await comment(alice, item["id"], "Carol no longer hears this")
        await next_frame(bob_tab, type="comment.new")
        await assert_no_live_frame(carol_tab)
        # Widened again: Carol's tab hears of it as an edit (it has the id in its watch).
        await edit(alice, item["id"], privacy="public")
        assert (await next_frame(carol_tab, type="post.edited"))["post"]["privacy"] == "public"


async def test_group_feeds_and_group_posts_at_home_are_for_members(server, alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    feeds = ("home", "explore", f"group:{group['id']}")
    async with open_socket(server, bob) as bob_tab, open_socket(server, carol) as carol_tab:
        for tab in (bob_tab, carol_tab):
            await watch(tab, feeds)
        item = await made(alice, "members only", group_id=group["id"])
        frames = [await next_frame(bob_tab, type="post.new") for _ in range(2)]
        assert {frame["feed"] for frame in frames} == {"home", f"group:{group['id']}"}
        assert frames[0]["post"]["group_id"] == group["id"]
        await assert_no_live_frame(carol_tab)
        # Bob leaves: from then on nothing of the group reaches him, not even of his own post.
        his = await made(bob, "Bob's, in the group", group_id=group["id"])
        for _ in range(2):
            await next_frame(bob_tab, type="post.new")
        await watch(bob_tab, feeds, posts=[item["id"], his["id"]])
        await bob.client.post(f"/api/groups/{group['id']}/leave")
        await made(alice, "after Bob left", group_id=group["id"])
        await comment(alice, item["id"])
        await comment(alice, his["id"], "for members")
        await react(alice, "post", his["id"], "like")
        await assert_no_live_frame(bob_tab)


async def test_following_and_blocking_change_what_a_watching_socket_hears(server, alice, bob):
    async with open_socket(server, bob) as bob_tab:
        await watch(bob_tab, ("home",))
        await made(alice, "before Bob follows")
        await assert_no_live_frame(bob_tab)
        await bob.client.post(f"/api/users/{alice.id}/follow")
        item = await made(alice, "after")
        assert (await next_frame(bob_tab, type="post.new"))["post"]["id"] == item["id"]
        await watch(bob_tab, ("home", "explore"), posts=[item["id"]])
        await block(alice, bob)  # silent: Bob's socket hears nothing of it
        await assert_no_live_frame(bob_tab)
        await comment(alice, item["id"])
        await react(alice, "post", item["id"], "like")
        await made(alice, "after the block", privacy="public")
        await assert_no_live_frame(bob_tab)


async def test_the_blocker_does_not_hear_the_blocked_persons_comments(server, alice, bob, carol):
    item = await made(carol, "Carol's public post", privacy="public")
    await block(alice, bob)
    async with open_socket(server, alice) as alice_tab, open_socket(server, carol) as carol_tab:
        for tab in (alice_tab, carol_tab):
            await watch(tab, (), posts=[item["id"]])
        said = await comment(bob, item["id"], "Bob's word")
        assert (await next_frame(carol_tab, type="comment.new"))["comment"]["id"] == said["id"]
        # Alice hears the counts (everyone's), not Bob's comment.
        assert [frame["type"] for frame in await queued_live_frames(alice_tab)] == ["post.counts"]
        await comment(carol, item["id"], "Carol's word")
        assert (await next_frame(alice_tab, type="comment.new"))["comment"]["body"] == (
            "Carol's word"
        )


async def test_each_watch_replaces_the_last(server, alice, bob):
    await follow_accepted(bob, alice)
    item = await made(alice)
    async with open_socket(server, bob) as bob_tab:
        await watch(bob_tab, ("home",), posts=[item["id"]])
        await watch(bob_tab, ())
        await made(alice, "unwatched")
        await comment(alice, item["id"])
        await assert_no_live_frame(bob_tab)


@pytest.mark.parametrize(
    "frame",
    [
        {"feeds": [f"user:{n}" for n in range(1, 12)]},
        {"posts": list(range(1, 502))},
        {"feeds": ["everything"]},
        {"feeds": "home"},
        {"feeds": ["user:0"]},
        {"posts": ["1"]},
    ],
)
async def test_a_bad_watch_is_refused_and_the_socket_stays(server, alice, frame):
    async with open_socket(server, alice) as tab:
        await tab.send_message(json.dumps({"type": "watch", **frame}))
        assert await next_frame(tab, type="error") == {"type": "error", "code": "bad_frame"}
        await watch(tab, ["home"] * 10 + ["explore"], posts=list(range(1, 501)))


async def test_a_post_made_through_one_server_reaches_a_watcher_on_another(
    server, second_server, alice, bob
):
    await follow_accepted(bob, alice)
    async with open_socket(second_server, bob) as bob_on_b:
        await watch(bob_on_b, ("home",))
        item = await made(alice, "across processes")  # through server A
        frame = await next_frame(bob_on_b, type="post.new")
        assert frame["feed"] == "home" and frame["post"]["id"] == item["id"]
        await watch(bob_on_b, ("home",), posts=[item["id"]])
        await react(alice, "post", item["id"], "haha")
        assert (await next_frame(bob_on_b, type="post.counts"))["reactions"] == {"haha": 1}


async def test_a_deleted_account_leaves_the_screens_that_showed_it(server, alice, bob, carol):
    """Bob deletes his account. Alice had on screen his post, his followers-only one, and her
    own post with his comment, his reaction to it and his reaction to her comment: his posts
    go, his comment goes and her counts drop, live. Carol, who does not follow Bob, watched the
    id of his followers-only post too: she hears nothing of it, as of any post she may not see.
    (Nothing was said at all: the screens kept the deleted account's posts until a reload.)"""
    await follow_accepted(alice, bob)
    his = await made(bob, "Bob's", privacy="public")
    followers_only = await made(bob, "for followers", privacy="almost_private")
    hers = await made(alice, "Alice's", privacy="public")
    her_comment = await comment(alice, hers["id"], "Alice's word")
    bobs_comment = await comment(bob, hers["id"], "Bob's word")
    await react(bob, "post", hers["id"], "love")
    await react(bob, "comment", her_comment["id"], "wow")
    await react(alice, "post", hers["id"], "like")
    watched = [his["id"], followers_only["id"], hers["id"]]
    async with open_socket(server, alice) as alice_tab, open_socket(server, carol) as carol_tab:
        for tab in (alice_tab, carol_tab):
            await watch(tab, (), posts=watched)
        assert (await delete_me(bob)).status_code == 204
        frames = [await next_frame(alice_tab) for _ in range(5)]
        by_type = {}
        for frame in frames:
            by_type.setdefault(frame["type"], []).append(frame)
        assert sorted(f["post_id"] for f in by_type["post.deleted"]) == sorted(
            [his["id"], followers_only["id"]]
        )
        assert by_type["comment.deleted"] == [
            {"type": "comment.deleted", "post_id": hers["id"], "comment_id": bobs_comment["id"]}
        ]
        assert by_type["post.counts"] == [
            {
                "type": "post.counts",
                "post_id": hers["id"],
                "comments_count": 1,
                "reactions": {"like": 1},
            }
        ]
        assert by_type["comment.counts"] == [
            {"type": "comment.counts", "comment_id": her_comment["id"], "reactions": {}}
        ]
        carols = await queued_live_frames(carol_tab)
        assert {"type": "post.deleted", "post_id": followers_only["id"]} not in carols
        assert {"type": "post.deleted", "post_id": his["id"]} in carols
