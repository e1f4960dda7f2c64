"""Chat on a phone (390 x 844) beside someone at a desk (1280 x 800): a group's chat and a
direct conversation open with the message box in view, without scrolling, however long the
history; messages go both ways."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import accept_invitation, badge, composer, follow, send, thread, wait_live
from tests.e2e.test_follows import join

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def expect_box_in_view(page: Page) -> None:
    """The message box is wholly in the window on arrival, the page not scrolled to it."""
    expect(composer(page)).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollY") == 0


def test_a_group_chat_on_a_phone_and_at_a_desk(new_page):
    alice, bob = new_page(), new_page()
    alice.set_viewport_size(DESK)
    bob.set_viewport_size(PHONE)
    join(alice, "Alice")
    bob_id = join(bob, "Bob")
    created = alice.request.post(
        "/api/groups", data={"title": "Crag Crew", "description": "Weekend climbing. " * 12}
    )
    group_id = created.json()["group"]["id"]
    alice.request.post(f"/api/groups/{group_id}/invitations", data={"user_id": bob_id})
    accept_invitation(bob)
    for n in range(40):  # a history longer than any window
        alice.request.post(f"/api/groups/{group_id}/messages", data={"body": f"Earlier {n}"})

    # Bob on his phone: Groups, the group, its Chat tab.
    bob.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    bob.get_by_role("link", name="Crag Crew").first.click()
    bob.get_by_role("tab", name="Chat").click()
    expect(thread(bob)).to_contain_text("Earlier 39")
    expect_box_in_view(bob)

    # Alice at her desk, straight to the tab.
    alice.goto(f"/groups/{group_id}?tab=chat")
    wait_live(alice)
    expect(thread(alice)).to_contain_text("Earlier 39")
    expect_box_in_view(alice)

    send(bob, "On my way 📱")
    expect(thread(alice)).to_contain_text("On my way 📱")
    send(alice, "See you at the crag")
    expect(thread(bob)).to_contain_text("See you at the crag")
    expect_box_in_view(bob)


def test_a_direct_conversation_on_a_phone(new_page):
    alice, bob = new_page(), new_page()
    alice.set_viewport_size(DESK)
    bob.set_viewport_size(PHONE)
    alice_id = join(alice, "Alice")
    bob_id = join(bob, "Bob")
    follow(bob, alice_id)
    for n in range(40):
        alice.request.post(f"/api/chats/direct/{bob_id}/messages", data={"body": f"Note {n}"})

    # Bob taps Messages in the bottom bar, then Alice.
    nav = bob.get_by_role("navigation", name="Main")
    messages = nav.get_by_role("link", name="Messages")
    # On a phone the unread count is on the Messages tab (the top bar's bubble is not shown).
    expect(badge(bob)).to_be_hidden()
    expect(messages.locator(".count-badge")).to_be_visible()
    expect(messages).to_have_accessible_description(re.compile(r"\d+ unread"))
    messages.click()
    bob.get_by_role("complementary", name="Conversations").get_by_role(
        "link", name=re.compile("Alice Tester")
    ).click()
    expect(bob).to_have_url(re.compile(rf"/messages/direct/{alice_id}$"))
    expect(bob.get_by_role("heading", name="Alice Tester", level=1)).to_be_visible()
    expect(thread(bob)).to_contain_text("Note 39")
    expect_box_in_view(bob)
    # In a conversation the thread has the screen; its arrow leads back to the list.
    expect(nav).to_be_hidden()

    alice.goto(f"/messages/direct/{bob_id}")
    wait_live(alice)
    send(bob, "Got them all 👍")
    expect(thread(alice)).to_contain_text("Got them all 👍")
    send(alice, "Great")
    expect(thread(bob)).to_contain_text("Great")
    expect_box_in_view(bob)

    bob.get_by_role("link", name="All conversations").click()
    expect(bob).to_have_url(re.compile(r"/messages$"))
    expect(nav).to_be_visible()
