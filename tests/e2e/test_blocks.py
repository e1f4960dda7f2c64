"""Blocking, in two browsers: Alice blocks Bob from his profile after reading what it does;
for Bob, Alice no longer exists (her profile is the error page); Alice unblocks him from her
settings."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_follows import join


def test_blocking_and_unblocking(new_page):
    alice, bob = new_page(), new_page()
    alice_id = join(alice, "Alice")
    bob_id = join(bob, "Bob")
    assert bob.request.post(f"/api/users/{alice_id}/follow").status == 200

    alice.goto(f"/users/{bob_id}")
    alice.get_by_role("button", name="More actions for Bob Tester").click()
    alice.get_by_role("menuitem", name="Block Bob").click()
    dialog = alice.get_by_role("dialog", name="Block Bob Tester?")
    expect(dialog).to_contain_text("see your profile or posts")
    expect(dialog).to_contain_text("Follows between you end")
    expect(dialog).to_contain_text("They won't be told")
    dialog.get_by_role("button", name="Block").click()
    expect(alice.get_by_role("heading", name="You blocked this person")).to_be_visible()
    expect(alice.get_by_role("button", name="Follow", exact=True)).to_have_count(0)
    expect(alice.get_by_role("button", name="Unblock")).to_be_visible()

    # For Bob, Alice is as if she did not exist.
    bob.goto(f"/users/{alice_id}")
    expect(bob.get_by_role("heading", name="Profile not available")).to_be_visible()
    expect(bob.get_by_text("Error 404")).to_be_visible()
    assert bob.request.get(f"/api/users/{alice_id}").status == 404
    # The follow ended.
    assert alice.request.get(f"/api/users/{alice_id}").json()["user"]["followers_count"] == 0

    # Alice unblocks him from her settings.
    alice.goto("/settings/blocks")
    expect(alice.get_by_role("link", name="Blocked people")).to_have_attribute(
        "aria-current", "page"
    )
    alice.get_by_role("button", name="Unblock Bob Tester").click()
    expect(alice.get_by_role("main").get_by_role("status")).to_have_text("Bob Tester is unblocked.")
    expect(alice.get_by_text("You haven't blocked anyone.")).to_be_visible()

    bob.goto(f"/users/{alice_id}")
    expect(bob.get_by_role("heading", name="Alice Tester", level=1)).to_be_visible()
    expect(bob.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    expect(bob).to_have_url(re.compile(rf"/users/{alice_id}$"))
