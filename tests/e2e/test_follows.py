"""Followers, profiles and live notifications, with several people in their own browsers:
following a public profile, asking a private one (the request and its answer arrive live in
the bell), unfollowing, and turning a profile private."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "a long enough secret"


def join(page: Page, first_name: str, *, public: bool = True) -> int:
    """Register `first_name` in this browser (the response sets its session cookie), open
    the home page and wait until live updates flow. Returns the new user's id."""
    response = page.request.post(
        "/api/auth/register",
        multipart={
            "email": f"{first_name.lower()}@example.com",
            "password": PASSWORD,
            "first_name": first_name,
            "last_name": "Tester",
            "date_of_birth": "1990-01-01",
            "is_public": "true" if public else "false",
        },
    )
    assert response.status == 201, response.text()
    page.goto("/")
    expect(page.locator("header.topbar")).to_have_attribute("data-realtime", "connected")
    return response.json()["user"]["id"]


def bell(page: Page):
    return page.get_by_role("button", name="Notifications", exact=True)


def bell_panel(page: Page):
    return page.get_by_role("dialog", name="Notifications")


def test_following_a_public_profile_takes_effect_at_once(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(bob, "Bob")

    bob.get_by_role("link", name="People").click()
    bob.get_by_label("Search people").fill("Alice")
    bob.get_by_role("link", name=re.compile("Alice Tester")).click()
    expect(bob).to_have_url(re.compile(rf"/users/{alice_id}$"))
    expect(bob.get_by_text("alice@example.com")).to_be_visible()

    bob.get_by_role("button", name="Follow", exact=True).click()
    expect(bob.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(bob.get_by_role("button", name=re.compile(r"^1 follower$"))).to_be_visible()

    # Alice hears of her new follower without reloading.
    expect(alice.get_by_test_id("notification-count")).to_have_text("1")
    bell(alice).click()
    expect(bell_panel(alice)).to_contain_text("Bob Tester started following you.")


def test_a_private_profile_is_asked_and_the_answer_arrives_live(new_page):
    bob, carol = new_page(), new_page()
    join(bob, "Bob")
    carol_id = join(carol, "Carol", public=False)

    bob.goto(f"/users/{carol_id}")
    expect(bob.get_by_text("This profile is private")).to_be_visible()
    expect(bob.get_by_text("carol@example.com")).to_have_count(0)
    bob.get_by_role("button", name="Request to follow").click()
    expect(bob.get_by_role("button", name="Requested")).to_be_visible()

    # Carol, still on the page she opened before the request: the bell counts it live.
    expect(carol.get_by_test_id("notification-count")).to_have_text("1")
    bell(carol).click()
    panel = bell_panel(carol)
    expect(panel).to_contain_text("Bob Tester wants to follow you.")
    panel.get_by_role("button", name="Accept").click()
    expect(panel.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Accept")).to_have_count(0)
    expect(carol.get_by_test_id("notification-count")).to_have_count(0)

    # Bob, without reloading: the answer rings his bell and the profile opens up.
    expect(bob.get_by_test_id("notification-count")).to_have_text("1")
    bell(bob).click()
    accepted = bell_panel(bob).get_by_role("link", name=re.compile("accepted your follow request"))
    expect(accepted).to_contain_text("Carol Tester")
    accepted.click()
    expect(bob).to_have_url(re.compile(rf"/users/{carol_id}$"))
    expect(bob.get_by_text("carol@example.com")).to_be_visible()
    expect(bob.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(bob.get_by_role("tab", name="Followers")).to_be_visible()


def test_unfollowing_asks_for_confirmation(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(bob, "Bob")
    assert bob.request.post(f"/api/users/{alice_id}/follow").json() == {"follow_state": "following"}

    bob.goto(f"/users/{alice_id}")
    bob.get_by_role("button", name="Unfollow").click()
    dialog = bob.get_by_role("dialog")
    expect(dialog).to_contain_text("Unfollow Alice Tester?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(bob.get_by_role("button", name="Unfollow")).to_be_visible()

    bob.get_by_role("button", name="Unfollow").click()
    bob.get_by_role("dialog").get_by_role("button", name="Unfollow").click()
    expect(bob.get_by_role("dialog")).to_have_count(0)
    expect(bob.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    expect(bob.get_by_role("button", name=re.compile(r"^0 followers$"))).to_be_visible()

    bob.reload()
    expect(bob.get_by_role("button", name="Follow", exact=True)).to_be_visible()


def test_a_profile_turned_private_is_hidden_from_strangers(new_page):
    alice, dave = new_page(), new_page()
    alice_id = join(alice, "Alice")
    join(dave, "Dave")

    alice.get_by_role("link", name=re.compile("Your profile")).click()
    expect(alice).to_have_url(re.compile(rf"/users/{alice_id}$"))
    alice.get_by_role("button", name="Make profile private").click()
    dialog = alice.get_by_role("dialog")
    expect(dialog).to_contain_text("Make your profile private?")
    dialog.get_by_role("button", name="Make private").click()
    expect(alice.get_by_role("button", name="Make profile public")).to_be_visible()
    expect(alice.get_by_text("Private profile", exact=True)).to_be_visible()

    dave.goto(f"/users/{alice_id}")
    expect(dave.get_by_text("This profile is private")).to_be_visible()
    expect(dave.get_by_role("button", name="Request to follow")).to_be_visible()
    expect(dave.get_by_text("alice@example.com")).to_have_count(0)
