"""Search from the top bar, in the browser: a person, a group and a post, each in its tab;
a query the server refuses says why; on a phone the box opens from its icon."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_follows import join
from tests.e2e.test_reactions import create_post


def search(page: Page, words: str) -> None:
    box = page.get_by_role("searchbox", name="Search socialnet")
    box.fill(words)
    box.press("Enter")


def test_searching_people_groups_and_posts(new_page):
    alice, bob = new_page(), new_page()
    join(alice, "Alice")
    join(bob, "Bob")
    group = alice.request.post(
        "/api/groups", data={"title": "Chess club", "description": "Openings and endgames"}
    )
    assert group.status == 201, group.text()
    create_post(alice, "Looking for chess partners this weekend")

    search(bob, "alice")
    expect(bob).to_have_url(re.compile(r"/search\?q=alice&type=people$"))
    expect(bob.get_by_role("heading", name="Results for “alice”")).to_be_visible()
    expect(bob.get_by_role("tab", name="People")).to_have_attribute("aria-selected", "true")
    results = bob.get_by_role("tabpanel")
    results.get_by_role("link", name=re.compile("Alice Tester")).click()
    expect(bob).to_have_url(re.compile(r"/users/\d+$"))

    search(bob, "chess")
    bob.get_by_role("tab", name="Groups").click()
    expect(bob).to_have_url(re.compile(r"/search\?q=chess&type=groups$"))
    expect(results.get_by_role("link", name="Chess club")).to_be_visible()

    bob.get_by_role("tab", name="Groups").press("ArrowRight")
    expect(bob.get_by_role("tab", name="Posts")).to_be_focused()
    expect(bob).to_have_url(re.compile(r"/search\?q=chess&type=posts$"))
    post = results.locator("article", has_text="Looking for chess partners")
    expect(post).to_contain_text("Alice Tester")
    expect(post.get_by_role("button", name="Like", exact=True)).to_be_visible()

    # Too long: the server's word, on the page.
    search(bob, "x" * 201)
    expect(bob.get_by_role("alert")).to_have_text(re.compile("at most 200 characters"))


def test_searching_on_a_phone(new_page):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    join(page, "Alice")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Home", "Explore", "People", "Groups", "Messages"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    box = page.get_by_role("searchbox", name="Search socialnet")
    expect(box).to_be_hidden()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(box).to_be_focused()
    box.fill("alice")
    box.press("Enter")
    expect(
        page.get_by_role("tabpanel").get_by_role("link", name=re.compile("Alice Tester"))
    ).to_be_visible()
    # Nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
