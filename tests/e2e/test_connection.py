"""A lost connection, as its user sees it: a banner within 2 s of the socket dropping,
presence greyed and the chat header saying it is connecting; "Try now" reconnects at once,
"Back online" says so, and the banner goes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.line import Line
from tests.e2e.test_chat import composer, conversations, follow, send, wait_live
from tests.e2e.test_follows import join


def test_a_dropped_connection_is_shown_and_cleared(new_page):
    alice, bob = new_page(), new_page()
    line = Line(alice.context)
    alice_id = join(alice, "Alice")
    bob_id = join(bob, "Bob")
    follow(bob, alice_id)
    alice.goto(f"/messages/direct/{bob_id}")
    wait_live(alice)
    header = alice.locator(".thread-header")
    expect(header).to_contain_text("Online")
    send(alice, "Hello")
    peer = conversations(alice).get_by_role("link", name=re.compile("Bob Tester"))
    banner = alice.locator("[data-connection]")
    expect(banner).to_have_text("")

    line.drop()
    expect(banner).to_contain_text("Reconnecting…", timeout=2_000)
    expect(alice.locator("header.topbar")).to_have_attribute("data-realtime", "offline")
    expect(header).to_contain_text("Connecting…")
    expect(header).not_to_contain_text("Online")
    expect(peer).to_contain_text("was online")  # the dot, greyed
    # Sent meanwhile, over HTTP (the server is there, only the socket is not): it arrives.
    send(alice, "Are you there?")
    expect(bob.get_by_test_id("messages-count")).to_have_text("2")

    line.mend()
    banner.get_by_role("button", name="Try now").click()
    expect(banner).to_have_text("Back online")
    expect(header).to_contain_text("Online")
    expect(peer).not_to_contain_text("was online")
    expect(banner).to_have_text("")
    expect(composer(alice)).to_be_visible()
