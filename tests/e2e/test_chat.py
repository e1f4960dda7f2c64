"""Chat in several browsers: direct messages with emoji arriving at once on the other side and
in the sender's second tab, the unread badge counting live, a chat closed until one follows
the other, a group room of three, and catching up after a connection drop."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.line import Line
from tests.e2e.test_follows import join


def follow(page: Page, user_id: int) -> None:
    response = page.request.post(f"/api/users/{user_id}/follow")
    assert response.json() == {"follow_state": "following"}, response.text()


def wait_live(page: Page) -> None:
    expect(page.locator("header.topbar")).to_have_attribute("data-realtime", "connected")


def conversations(page: Page):
    return page.get_by_role("complementary", name="Conversations")


def thread(page: Page):
    return page.get_by_role("list", name="Messages")


def badge(page: Page):
    return page.get_by_test_id("messages-count")


def composer(page: Page):
    return page.get_by_label("Message", exact=True)


def send(page: Page, text: str) -> None:
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(composer(page)).to_have_value("")
    own = thread(page).get_by_role("listitem").filter(has_text=text).last
    expect(own).to_contain_text(re.compile(r"\d:\d\d"))  # stored: a time, not "Sending…"


def pick_emoji(page: Page, search: str) -> None:
    """From the keyboard: the picker opens on its search, ↓ takes the first match, Enter."""
    page.get_by_role("button", name="Insert emoji").click()
    picker = page.get_by_role("dialog", name="Emoji")
    expect(picker.get_by_role("combobox", name="Search")).to_be_focused()
    page.keyboard.type(search)
    # The results of the whole search, not of its first letters.
    expect(picker.get_by_role("option").first).to_have_accessible_name(re.compile(search))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()


def open_conversation(page: Page, name: str) -> None:
    page.goto("/messages")
    wait_live(page)
    conversations(page).get_by_role("link", name=re.compile(name)).click()
    expect(composer(page)).to_be_visible()


def test_the_emoji_picker_searches_takes_a_skin_tone_and_remembers(new_page):
    """emoji-picker-element, its data from our own origin (the CSP would refuse a CDN, and
    fail the test): Escape closes it and returns to its button; a chosen skin tone applies to
    what is picked; the last one picked leads the "Favorites" row."""
    page = new_page()
    join(page, "Ada")
    created = page.request.post("/api/groups", data={"title": "Knitting", "description": "Yarn"})
    page.goto(f"/messages/group/{created.json()['group']['id']}")
    toggle = page.get_by_role("button", name="Insert emoji")
    picker = page.get_by_role("dialog", name="Emoji")
    search = picker.get_by_role("combobox", name="Search")
    toggle.click()
    expect(search).to_be_focused()
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(toggle).to_be_focused()

    toggle.click()
    # Its emoji are in (the picker reads the preferred skin tone once its data is ready).
    expect(picker.get_by_role("menuitem").first).to_be_visible()
    picker.get_by_role("button", name=re.compile("Choose a skin tone")).click()
    picker.get_by_role("option", name="Medium", exact=True).click()
    expect(picker.get_by_role("button", name=re.compile(r"currently Medium\)"))).to_be_visible()
    search.fill("thumbs up")
    picker.get_by_role("option", name=re.compile("thumbs up")).first.click()
    expect(composer(page)).to_have_value("👍🏽")
    expect(composer(page)).to_be_focused()

    toggle.click()
    expect(search).to_have_value("")  # a fresh search each time
    favorites = picker.get_by_role("menu", name="Favorites").get_by_role("menuitem")
    expect(favorites.first).to_have_text("👍🏽")


def test_direct_messages_arrive_at_once_with_emoji(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(bob, "Bob")
    follow(bob, alice_id)
    alice_tab = alice.context.new_page()
    alice_tab.goto("/messages")
    wait_live(alice_tab)

    # Bob starts the conversation from "New message": only people he may write to are listed.
    bob.goto("/messages")
    bob.get_by_role("button", name="New message").click()
    bob.get_by_role("dialog", name="New message").get_by_role("button", name="Alice Tester").click()
    expect(bob).to_have_url(re.compile(rf"/messages/direct/{alice_id}$"))
    expect(bob.get_by_role("heading", name="Alice Tester")).to_be_visible()

    composer(bob).press_sequentially("Hi Alice 😀🧗‍♀️ ")
    pick_emoji(bob, "party popper")
    expect(composer(bob)).to_have_value("Hi Alice 😀🧗‍♀️ 🎉")
    expect(composer(bob)).to_be_focused()
    bob.get_by_role("button", name="Send", exact=True).click()
    expect(thread(bob)).to_contain_text("Hi Alice 😀🧗‍♀️ 🎉")

    # Alice, on the home page: the chat bubble counts it; the bell only has Bob's follow.
    expect(badge(alice)).to_have_text("1")
    # The count sits on the bubble's top right corner, as the bell's does.
    bubble = alice.get_by_role("link", name="Messages", exact=True).filter(has=badge(alice))
    count, icon = badge(alice).bounding_box(), bubble.bounding_box()
    assert count["y"] < icon["y"] + 8 and count["x"] > icon["x"] + icon["width"] / 2, (count, icon)
    expect(alice.get_by_test_id("notification-count")).to_have_text("1")
    # Her second tab, already on /messages, lists the conversation live.
    expect(
        conversations(alice_tab).get_by_role("link", name=re.compile("Bob Tester"))
    ).to_contain_text("Hi Alice 😀🧗‍♀️ 🎉")

    open_conversation(alice, "Bob Tester")
    expect(thread(alice)).to_contain_text("Hi Alice 😀🧗‍♀️ 🎉")
    expect(badge(alice)).to_have_count(0)
    send(alice, "Hello Bob 👋")
    expect(thread(bob)).to_contain_text("Hello Bob 👋")
    expect(conversations(alice_tab)).to_contain_text("You: Hello Bob 👋")

    # Bob elsewhere: his badge counts Alice's messages as they come.
    bob.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    # The People page shows once its load has answered; until then the thread is on screen.
    expect(bob.get_by_role("heading", name="People", exact=True)).to_be_visible()
    send(alice, "Are you there?")
    expect(badge(bob)).to_have_text("1")
    send(alice, "Climbing on Saturday 🧗‍♀️?")
    expect(badge(bob)).to_have_text("2")

    bob.get_by_role("link", name="Messages", exact=True).first.click()
    link = conversations(bob).get_by_role("link", name=re.compile("Alice Tester"))
    expect(link).to_contain_text("2 unread")
    link.click()
    expect(thread(bob)).to_contain_text("Climbing on Saturday 🧗‍♀️?")
    expect(badge(bob)).to_have_count(0)
    expect(link).not_to_contain_text("unread")


def test_a_chat_nobody_follows_is_closed_until_one_follows_the_other(new_page):
    alice, dan = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(dan, "Dan")

    dan.goto("/messages")
    expect(conversations(dan)).to_contain_text("No conversations yet")
    dan.get_by_role("button", name="New message").click()
    expect(dan.get_by_role("dialog", name="New message")).to_contain_text(
        "You can message people you follow or who follow you."
    )

    # Neither follows the other: the page says so in the composer's place, nothing to type.
    dan.goto(f"/messages/direct/{alice_id}")
    wait_live(dan)
    expect(dan.get_by_role("heading", name="Alice Tester")).to_be_visible()
    expect(
        dan.get_by_text("You can message Alice once one of you follows the other.")
    ).to_be_visible()
    expect(composer(dan)).to_have_count(0)
    expect(conversations(dan)).to_contain_text("No conversations yet")
    expect(badge(alice)).to_have_count(0)

    # Following her (a public profile) opens it.
    dan.get_by_role("button", name="Follow", exact=True).click()
    send(dan, "Hi, can we talk?")
    expect(conversations(dan).get_by_role("link", name=re.compile("Alice Tester"))).to_be_visible()
    expect(badge(alice)).to_have_text("1")


def accept_invitation(page: Page) -> None:
    notes = page.request.get("/api/notifications").json()["items"]
    invitation = next(n for n in notes if n["kind"] == "group_invitation")
    response = page.request.post(
        f"/api/group-invitations/{invitation['subject']['invitation_id']}/accept"
    )
    assert response.ok, response.text()


def test_a_group_room_reaches_every_member_at_once(new_page):
    alice, bob, carol = new_page(), new_page(), new_page()
    join(alice, "Alice")
    bob_id = join(bob, "Bob")
    carol_id = join(carol, "Carol")
    created = alice.request.post(
        "/api/groups", data={"title": "Crag Crew", "description": "Weekend climbing"}
    )
    assert created.status == 201, created.text()
    group_id = created.json()["group"]["id"]
    for user_id, page in ((bob_id, bob), (carol_id, carol)):
        invited = alice.request.post(
            f"/api/groups/{group_id}/invitations", data={"user_id": user_id}
        )
        assert invited.status == 201, invited.text()
        accept_invitation(page)

    people = {"Alice": alice, "Bob": bob, "Carol": carol}
    for page in people.values():
        open_conversation(page, "Crag Crew")
        expect(page).to_have_url(re.compile(rf"/messages/group/{group_id}$"))

    for name, page in people.items():
        text = f"{name} is in 🧗‍♀️"
        send(page, text)
        for other in people.values():
            expect(thread(other)).to_contain_text(text)
    # Others' messages name their sender.
    expect(thread(alice).get_by_role("listitem").filter(has_text="Carol is in")).to_contain_text(
        "Carol Tester"
    )
    for page in people.values():
        expect(badge(page)).to_have_count(0)


def test_missed_messages_are_there_after_a_reconnect(new_page):
    alice, bob = new_page(), new_page()
    line = Line(bob.context)
    alice_id = join(alice, "Alice")
    bob_id = join(bob, "Bob")
    follow(bob, alice_id)
    alice.goto(f"/messages/direct/{bob_id}")
    wait_live(alice)
    send(alice, "Before the break")
    open_conversation(bob, "Alice Tester")
    expect(thread(bob)).to_contain_text("Before the break")

    # Bob's connection drops; what Alice sends meanwhile, and what Bob writes, is not lost.
    line.drop()
    bob.context.set_offline(True)
    expect(bob.locator("header.topbar")).to_have_attribute("data-realtime", "offline")
    send(alice, "Missed one")
    send(alice, "Missed two 😀")
    composer(bob).fill("Written offline")
    composer(bob).press("Enter")
    expect(thread(bob).get_by_role("listitem").filter(has_text="Written offline")).to_contain_text(
        "Waiting for the connection"
    )
    expect(thread(bob)).not_to_contain_text("Missed one")

    line.mend()
    bob.context.set_offline(False)  # the browser's "online" event: reconnect now
    # ...unless an attempt was under way then: the next one comes after its backoff.
    expect(bob.locator("header.topbar")).to_have_attribute(
        "data-realtime", "connected", timeout=20_000
    )
    expect(thread(bob)).to_contain_text("Missed one")
    expect(thread(bob)).to_contain_text("Missed two 😀")
    expect(thread(alice)).to_contain_text("Written offline")
    expect(thread(bob).get_by_text("Written offline")).to_have_count(1)
    expect(thread(bob)).not_to_contain_text("Waiting for the connection")

    # A page closed while messages arrive: reopened, it has them all, in order.
    bob.close()
    send(alice, "While you were away")
    bob = bob.context.new_page()
    bob.goto(f"/messages/direct/{alice_id}")
    expect(thread(bob)).to_contain_text("While you were away")
    texts = thread(bob).get_by_role("listitem").all_inner_texts()
    order = [
        "Before the break",
        "Missed one",
        "Missed two",
        "Written offline",
        "While you were away",
    ]
    positions = [next(i for i, t in enumerate(texts) if phrase in t) for phrase in order]
    assert positions == sorted(positions)
