"""Live news as its user sees it: a quiet toast for a new notification (with a way to it) and
for a message whose conversation is not open, none for the one on screen; "(N)" in the tab's
title; on /notifications a pending follow request listed once, answered there."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import follow, open_conversation, send, thread, wait_live
from tests.e2e.test_follows import join


def toasts(page: Page):
    return page.get_by_role("region", name=re.compile("Live notifications"))


def test_live_news_is_toasted_and_counted_in_the_title(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    bob_id = join(bob, "Bob")
    expect(alice).to_have_title("Home · socialnet")

    follow(bob, alice_id)
    toast = toasts(alice).get_by_role("listitem").filter(has_text="started following you.")
    expect(toast).to_contain_text("Bob Tester")
    expect(alice).to_have_title("(1) Home · socialnet")
    toast.get_by_role("button", name="View").click()
    expect(alice).to_have_url(re.compile(rf"/users/{bob_id}$"))
    expect(alice).to_have_title(re.compile(r"^\(1\) Bob Tester"))

    # A message while the conversation is elsewhere: a toast that leads to it.
    bob.goto(f"/messages/direct/{alice_id}")
    wait_live(bob)
    send(bob, "Hello Alice")
    toast = toasts(alice).get_by_role("listitem").filter(has_text="Hello Alice")
    expect(toast).to_contain_text("Bob Tester")
    expect(alice).to_have_title(re.compile(r"^\(2\) "))
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)

    # The conversation open: its messages are on screen, no toast; read, out of the count.
    open_conversation(alice, "Bob Tester")
    send(bob, "Are you there?")
    expect(thread(alice)).to_contain_text("Are you there?")
    expect(toasts(alice).get_by_role("listitem").filter(has_text="Are you there?")).to_have_count(0)
    expect(alice).to_have_title("(1) Bob Tester · socialnet")


def test_a_pending_follow_request_is_listed_once(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice", public=False)
    join(bob, "Bob")
    asked = bob.request.post(f"/api/users/{alice_id}/follow")
    assert asked.json() == {"follow_state": "requested"}, asked.text()

    alice.goto("/notifications")
    requests = alice.get_by_role("region", name="Follow requests")
    listed = alice.get_by_role("region", name="Notifications", exact=True)
    expect(requests).to_contain_text("Bob Tester")
    expect(listed).not_to_contain_text("wants to follow you")
    expect(alice.get_by_role("button", name=re.compile("^Accept"))).to_have_count(1)

    # Answered, it leaves the requests and is history in the list, with its outcome.
    requests.get_by_role("button", name="Accept Bob Tester").click()
    expect(requests).to_have_count(0)
    expect(listed).to_contain_text("Bob Tester wants to follow you.")
    expect(listed).to_contain_text("Accepted")
    expect(alice.get_by_role("button", name=re.compile("^Accept"))).to_have_count(0)
    alice.reload()
    expect(listed).to_contain_text("Accepted")
