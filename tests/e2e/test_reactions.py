"""Reactions, in two browsers: Bob likes Alice's post with one click, picks Haha from the six
(by pointer, resting on the button), takes it back, and loves her comment from the keyboard;
Alice's bell says so, and she sees who reacted."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_follows import bell, bell_panel, join

POST = "Sunrise over the bay"
COMMENT = "First light was at six"


def create_post(page: Page, body: str, **fields: str) -> dict:
    """Publish a post over HTTP as the person in `page`; returns the server's `<post>`."""
    answer = page.request.post(
        "/api/posts", multipart={"body": body, "privacy": "public", **fields}
    )
    assert answer.status == 201, answer.text()
    return answer.json()["post"]


def create_comment(page: Page, post_id: int, body: str) -> dict:
    answer = page.request.post(f"/api/posts/{post_id}/comments", multipart={"body": body})
    assert answer.status == 201, answer.text()
    return answer.json()["comment"]


def test_reacting_to_a_post_and_a_comment(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(bob, "Bob")
    assert bob.request.post(f"/api/users/{alice_id}/follow").status == 200
    expect(alice.get_by_test_id("notification-count")).to_have_text("1")  # the new follower
    post = create_post(alice, POST)
    create_comment(alice, post["id"], COMMENT)

    bob.goto("/")
    card = bob.locator("article", has_text=POST)
    like = card.get_by_role("button", name="Like", exact=True)
    expect(like).to_have_attribute("aria-pressed", "false")

    # One click likes, counted at once.
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    summary = card.get_by_role("button", name=re.compile(r"^1 reaction: 1 Like"))
    expect(summary).to_be_visible()

    # Resting the pointer on the button offers the six; Haha replaces the like.
    bob.mouse.move(0, 0)
    like.hover()
    six = card.get_by_role("menu", name="Reactions")
    expect(six.get_by_role("menuitemradio")).to_have_count(6)
    expect(six.get_by_role("menuitemradio", name="Like")).to_have_attribute("aria-checked", "true")
    with bob.expect_response(lambda r: r.url.endswith(f"/api/posts/{post['id']}/reaction")) as put:
        six.get_by_role("menuitemradio", name="Haha").click()
    assert put.value.request.method == "PUT" and put.value.status == 200
    haha = card.get_by_role("button", name="Haha", exact=True)
    expect(haha).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name=re.compile(r"^1 reaction: 1 Haha"))).to_be_visible()
    bob.mouse.move(0, 0)
    expect(six).to_have_count(0)
    assert bob.request.get(f"/api/posts/{post['id']}").json()["post"]["my_reaction"] == "haha"

    # Alice hears of it (once per person and post) and sees who reacted.
    expect(alice.get_by_test_id("notification-count")).to_have_text("2")
    bell(alice).click()
    said = bell_panel(alice).get_by_role("link", name=re.compile("reacted .* to your post"))
    expect(said).to_contain_text("Bob Tester")
    said.click()
    expect(alice).to_have_url(re.compile(rf"/posts/{post['id']}$"))
    alice.get_by_role("button", name=re.compile(r"^1 reaction: 1 Haha")).click()
    dialog = alice.get_by_role("dialog", name="Reactions")
    expect(dialog.get_by_role("tab", name=re.compile("Haha 1"))).to_be_visible()
    expect(dialog.get_by_role("link", name="Bob Tester, Haha")).to_be_visible()
    alice.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Bob takes it back with one more click.
    with bob.expect_response(lambda r: r.url.endswith(f"/api/posts/{post['id']}/reaction")) as gone:
        haha.click()
    assert gone.value.request.method == "DELETE" and gone.value.status == 204
    like = card.get_by_role("button", name="Like", exact=True)
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(card.get_by_role("button", name=re.compile("reaction"))).to_have_count(0)
    assert bob.request.get(f"/api/posts/{post['id']}").json()["post"]["my_reaction"] is None

    # On the comment, from the keyboard: ArrowUp opens the six, arrows move, Enter picks.
    card.get_by_role("button", name="1 comment").click()
    comment = card.locator(".comment", has_text=COMMENT)
    comment_like = comment.get_by_role("button", name="Like", exact=True)
    comment_like.focus()
    bob.keyboard.press("ArrowUp")
    six = comment.get_by_role("menu", name="Reactions")
    expect(six.get_by_role("menuitemradio", name="Like")).to_be_focused()
    bob.keyboard.press("ArrowRight")
    expect(six.get_by_role("menuitemradio", name="Love")).to_be_focused()
    bob.keyboard.press("Enter")
    love = comment.get_by_role("button", name="Love", exact=True)
    expect(love).to_be_focused()
    expect(love).to_have_attribute("aria-pressed", "true")
    expect(comment.get_by_role("button", name=re.compile(r"^1 reaction: 1 Love"))).to_be_visible()
    # The follow is still unread; the reaction to the post was read from the bell.
    expect(alice.get_by_test_id("notification-count")).to_have_text("2")
    bell(alice).click()
    expect(
        bell_panel(alice).get_by_role("link", name=re.compile("reacted ❤️ to your comment"))
    ).to_contain_text("Bob Tester")
