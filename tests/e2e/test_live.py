"""Live posts, in two browsers: Bob, reading Home, sees Alice's new post arrive at the top
without reloading; scrolled down, he gets it behind "1 new post"."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_follows import join
from tests.e2e.test_posts import publish
from tests.e2e.test_reactions import create_post


def test_a_new_post_appears_live_on_home(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(bob, "Bob")
    assert bob.request.post(f"/api/users/{alice_id}/follow").status == 200
    for day in range(1, 13):
        create_post(alice, f"News of day {day}")
    bob.goto("/")
    expect(bob.locator("article")).to_have_count(12)
    expect(bob.locator("header.topbar")).to_have_attribute("data-realtime", "connected")

    publish(alice, "Fresh from the oven", "Public")
    expect(bob.locator("article").first).to_contain_text("Fresh from the oven")
    expect(bob.locator("article")).to_have_count(13)

    # Scrolled down, the reader is not moved: the post waits behind a button.
    bob.locator("article", has_text="News of day 3").scroll_into_view_if_needed()
    bob.wait_for_function("window.scrollY > 600")
    publish(alice, "Second batch", "Public")
    more = bob.get_by_role("button", name="1 new post")
    expect(more).to_be_visible()
    expect(bob.locator("article", has_text="Second batch")).to_have_count(0)
    more.click()
    expect(bob.locator("article").first).to_contain_text("Second batch")
    expect(bob.get_by_role("heading", name="Your feed")).to_be_focused()
