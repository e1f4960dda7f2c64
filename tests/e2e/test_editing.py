"""Editing and deleting, in two browsers: Alice edits her post (text and audience) in place;
Bob edits his comment on it; Alice, the post's author, deletes Bob's comment, then the post."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_follows import join
from tests.e2e.test_reactions import create_comment, create_post


def test_editing_and_deleting_a_post_and_a_comment(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(bob, "Bob")
    assert bob.request.post(f"/api/users/{alice_id}/follow").status == 200
    post = create_post(alice, "Lunch at noon?")
    comment = create_comment(bob, post["id"], "I will be thereee")

    # Alice edits her post from its "…" menu: the text, and who may see it.
    alice.goto("/")
    card = alice.locator("article", has=alice.locator(f'a[href="/posts/{post["id"]}"]'))
    expect(card).to_contain_text("Lunch at noon?")
    card.get_by_role("button", name="Post actions").click()
    card.get_by_role("menuitem", name="Edit post").click()
    text = card.get_by_label("Post text")
    expect(text).to_be_focused()
    text.fill("Lunch at one?")
    card.get_by_label("Who can see this").select_option(label="Almost private")
    card.get_by_role("button", name="Save").click()
    expect(card.locator(".body")).to_have_text("Lunch at one?")
    expect(card.locator("time.edited")).to_contain_text("Edited")
    expect(card.locator("time.edited")).to_have_attribute("title", re.compile(r"^Edited "))
    expect(card).to_contain_text("Almost private")
    expect(card.get_by_role("button", name="Post actions")).to_be_focused()
    edited = alice.request.get(f"/api/posts/{post['id']}").json()["post"]
    assert (edited["body"], edited["privacy"]) == ("Lunch at one?", "almost_private")
    assert edited["edited_at"] is not None

    # Bob, a follower, sees the new text and fixes his comment.
    bob.goto(f"/posts/{post['id']}")
    expect(bob.locator("article")).to_contain_text("Lunch at one?")
    mine = bob.locator(".comment", has=bob.get_by_role("link", name="Bob Tester"))
    expect(mine).to_contain_text("I will be thereee")
    # Not his post: nothing to change on it.
    expect(bob.get_by_role("button", name="Post actions")).to_have_count(0)
    mine.get_by_role("button", name="Comment actions").click()
    mine.get_by_role("menuitem", name="Edit comment").click()
    mine.get_by_label("Comment text").fill("I will be there")
    mine.get_by_role("button", name="Save").click()
    expect(mine.locator(".body")).to_have_text("I will be there")
    expect(mine.locator("time.edited")).to_contain_text("Edited")
    assert bob.request.get(f"/api/posts/{post['id']}/comments").json()["items"][0]["body"] == (
        "I will be there"
    )

    # Alice, the post's author, may delete Bob's comment but not edit it.
    alice.goto(f"/posts/{post['id']}")
    theirs = alice.locator(".comment", has_text="I will be there")
    theirs.get_by_role("button", name="Comment actions").click()
    expect(theirs.get_by_role("menuitem")).to_have_text(["Delete comment"])
    theirs.get_by_role("menuitem", name="Delete comment").click()
    dialog = alice.get_by_role("dialog", name="Delete this comment?")
    dialog.get_by_role("button", name="Delete").click()
    expect(alice.locator(".comment")).to_have_count(0)
    expect(alice.get_by_role("button", name="0 comments")).to_be_visible()
    gone = bob.request.get(f"/api/posts/{post['id']}/comments").json()["items"]
    assert [c["id"] for c in gone if c["id"] == comment["id"]] == []

    # And then her post, after confirming.
    alice.get_by_role("button", name="Post actions").click()
    alice.get_by_role("menuitem", name="Delete post").click()
    dialog = alice.get_by_role("dialog", name="Delete this post?")
    expect(dialog).to_contain_text("gone for everyone")
    dialog.get_by_role("button", name="Delete").click()
    expect(alice.get_by_role("heading", name="Post deleted")).to_be_visible()
    assert bob.request.get(f"/api/posts/{post['id']}").status == 404
    bob.goto(f"/posts/{post['id']}")
    expect(bob.get_by_role("heading", name="This post isn't available")).to_be_visible()
