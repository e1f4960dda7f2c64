"""A group from its creation to its first event, with five people in their own browsers.

Alice creates "Climbing" and invites Bob (who follows her); Bob accepts from his bell and
invites Carol, who accepts on the browse page. Dan finds the group and asks to join; Alice lets
him in from her bell. Members post and comment; Erin, a stranger, sees the group but none of its
posts. Bob plans "Saturday at the crag"; Alice and Dan hear of it live, and answer Going and
Not going."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.test_follows import bell, bell_panel, join

EVENT = "Saturday at the crag"


def next_saturday() -> date:
    today = date.today()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def notification(page: Page, words: str):
    """The link of the notification in the open bell panel that says `words`."""
    return bell_panel(page).get_by_role("link", name=re.compile(re.escape(words)))


def notification_item(page: Page, words: str):
    """The whole notification (link and answer buttons) in the open bell panel."""
    return bell_panel(page).get_by_role("article").filter(has_text=words)


def group_card(page: Page, title: str):
    return page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def test_a_group_from_creation_to_its_first_event(new_page):
    alice, bob, carol, dan, erin = (new_page() for _ in range(5))
    alice_id = join(alice, "Alice")
    join(bob, "Bob")
    join(carol, "Carol")
    join(dan, "Dan")
    join(erin, "Erin")
    assert bob.request.post(f"/api/users/{alice_id}/follow").json() == {"follow_state": "following"}

    # Alice creates the group from the browse page and lands on it.
    alice.get_by_role("link", name="Groups", exact=True).click()
    alice.get_by_label("Title", exact=True).fill("Climbing")
    alice.get_by_label("Description", exact=True).fill("Ropes, chalk and early mornings.")
    alice.get_by_role("button", name="Create group").click()
    expect(alice).to_have_url(re.compile(r"/groups/\d+$"))
    group_id = int(alice.url.rsplit("/", 1)[1])
    expect(alice.get_by_role("heading", name="Climbing", level=1)).to_be_visible()
    expect(alice.get_by_text("You created this group")).to_be_visible()
    expect(alice.get_by_text("1 member", exact=True)).to_be_visible()

    # She invites Bob, suggested first because he follows her.
    alice.get_by_role("button", name="Invite", exact=True).click()
    dialog = alice.get_by_role("dialog", name="Invite people to Climbing")
    row = dialog.get_by_role("listitem").filter(has_text="Bob Tester")
    expect(row).to_contain_text("Follows you")
    row.get_by_role("button", name="Invite").click()
    expect(row.get_by_text("Invited", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)

    # Bob, on his home page: the invitation rings live; he accepts it from the bell.
    expect(bob.get_by_test_id("notification-count")).to_have_text("1")
    bell(bob).click()
    invited = notification(bob, "invited you to join the group Climbing")
    expect(invited).to_contain_text("Alice Tester")
    item = notification_item(bob, "invited you to join the group Climbing")
    item.get_by_role("button", name="Accept").click()
    expect(item.get_by_text("Accepted", exact=True)).to_be_visible()
    invited.click()
    expect(bob).to_have_url(re.compile(rf"/groups/{group_id}$"))
    expect(bob.get_by_text("Member", exact=True)).to_be_visible()
    expect(bob.get_by_role("tab", name="Posts")).to_have_attribute("aria-selected", "true")

    # Bob, a member now, invites Carol, whom he finds by name.
    bob.get_by_role("button", name="Invite", exact=True).click()
    dialog = bob.get_by_role("dialog", name="Invite people to Climbing")
    dialog.get_by_label("Search people to invite").fill("Carol")
    row = dialog.get_by_role("listitem").filter(has_text="Carol Tester")
    row.get_by_role("button", name="Invite").click()
    expect(row.get_by_text("Invited", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Done").click()

    # Carol accepts on the browse page.
    expect(carol.get_by_test_id("notification-count")).to_have_text("1")
    carol.get_by_role("link", name="Groups", exact=True).click()
    card = group_card(carol, "Climbing")
    expect(card).to_contain_text("You are invited")
    card.get_by_role("button", name="Accept invitation").click()
    expect(card.get_by_role("link", name="Open")).to_be_visible()
    expect(card).to_contain_text("3 members")

    # Dan finds the group and asks to join.
    dan.get_by_role("link", name="Groups", exact=True).click()
    dan.get_by_label("Search groups").fill("climb")
    card = group_card(dan, "Climbing")
    expect(card).to_contain_text("by Alice Tester")
    card.get_by_role("button", name="Request to join").click()
    expect(card.get_by_text("Requested", exact=True)).to_be_visible()

    # Alice lets him in from her bell; Dan's card opens up without a reload.
    bell(alice).click()
    asked = notification(alice, "asked to join your group Climbing")
    expect(asked).to_contain_text("Dan Tester")
    item = notification_item(alice, "asked to join your group Climbing")
    item.get_by_role("button", name="Accept").click()
    expect(item.get_by_text("Accepted", exact=True)).to_be_visible()
    alice.keyboard.press("Escape")
    expect(bell_panel(alice)).to_have_count(0)
    expect(card.get_by_role("link", name="Open")).to_be_visible()
    expect(card).to_contain_text("4 members")

    # Members post and comment, inside the group.
    alice.get_by_label("What's on your mind?").fill("Who is in for the crag this weekend?")
    alice.get_by_role("button", name="Post", exact=True).click()
    expect(alice.locator("article", has_text="Who is in for the crag")).to_contain_text("Group")
    card.get_by_role("link", name="Open").click()
    expect(dan).to_have_url(re.compile(rf"/groups/{group_id}$"))
    post = dan.locator("article", has_text="Who is in for the crag")
    post.get_by_role("button", name="0 comments").click()
    # Enter posts a comment, as on Facebook; Shift+Enter makes a new line.
    box = post.get_by_label("Write a comment")
    box.fill("Count me in!")
    box.press("Shift+Enter")
    box.press_sequentially("Bringing rope")
    expect(box).to_have_value("Count me in!\nBringing rope")
    box.press("Enter")
    expect(post.get_by_role("button", name="1 comment")).to_be_visible()
    expect(post).to_contain_text("Count me in!")
    expect(box).to_have_value("")

    # Erin, not a member, sees the group and the way in, never its posts.
    erin.goto(f"/groups/{group_id}")
    expect(erin.get_by_role("heading", name="Climbing", level=1)).to_be_visible()
    expect(erin.get_by_text("4 members")).to_be_visible()
    expect(
        erin.get_by_text("Posts, events, members and chat are for members only.")
    ).to_be_visible()
    expect(erin.get_by_role("tab")).to_have_count(0)
    expect(erin.get_by_text("Who is in for the crag")).to_have_count(0)
    assert erin.request.get(f"/api/groups/{group_id}/posts").status == 404
    # She asks to join, then thinks better of it.
    erin.get_by_role("button", name="Request to join").click()
    expect(erin.get_by_text("Requested", exact=True)).to_be_visible()
    erin.get_by_role("button", name="Cancel request").click()
    expect(erin.get_by_role("button", name="Request to join")).to_be_visible()
    assert alice.request.get(f"/api/groups/{group_id}/join-requests").json()["items"] == []

    # Bob plans an event for next Saturday morning.
    bob.get_by_role("tab", name="Events").click()
    expect(bob).to_have_url(re.compile(rf"/groups/{group_id}\?tab=events$"))
    bob.get_by_label("Event title").fill(EVENT)
    bob.get_by_label("Event description").fill("Meet at the car park, bring a rope.")
    bob.get_by_label("Day and time").fill(f"{next_saturday().isoformat()}T09:30")
    bob.get_by_role("button", name="Create event").click()
    event = bob.locator("article", has_text=EVENT)
    expect(event).to_contain_text("Saturday")
    expect(event).to_contain_text("9:30")
    expect(event).to_contain_text("Created by Bob Tester")
    expect(event).to_contain_text("0 going · 0 not going")
    expect(bob.get_by_label("Event title")).to_have_value("")

    # Alice and Dan hear of it live, open it from their bells and answer.
    for page, answer in ((alice, "Going"), (dan, "Not going")):
        bell(page).click()
        said = notification(page, f"created the event {EVENT} in Climbing")
        expect(said).to_contain_text("Bob Tester")
        said.click()
        expect(page).to_have_url(re.compile(rf"/groups/{group_id}\?tab=events$"))
        expect(page.get_by_role("tab", name="Events")).to_have_attribute("aria-selected", "true")
        event = page.locator("article", has_text=EVENT)
        choice = event.get_by_role("button", name=answer, exact=True)
        expect(choice).to_have_attribute("aria-pressed", "false")
        choice.click()
        expect(choice).to_have_attribute("aria-pressed", "true")
    expect(dan.locator("article", has_text=EVENT)).to_contain_text("1 going · 1 not going")
    # Alice's list counts Dan's answer as it is given, without a reload.
    expect(alice.locator("article", has_text=EVENT)).to_contain_text("1 going · 1 not going")

    # Bob, reloading, sees the counts and who is going.
    bob.reload()
    event = bob.locator("article", has_text=EVENT)
    expect(event).to_contain_text("1 going · 1 not going")
    event.get_by_role("button", name="Who's going").click()
    expect(event).to_contain_text("Going (1)")
    expect(event.get_by_role("link", name="Alice Tester")).to_be_visible()
