"""The error page: an address that leads nowhere, and a post that does not exist, show the
app's own page (inside the top bar, with a link home) instead of the framework's bare 404."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_follows import join


@pytest.mark.parametrize(
    ("path", "title"),
    [("/posts/999999", "This post isn't available"), ("/no-such-page", "Page not found")],
)
def test_a_missing_page_shows_the_styled_error_page(new_page, path, title):
    page = new_page()
    join(page, "Alice")

    page.goto(path)
    failure = page.locator("main section.card", has=page.get_by_role("heading", level=1))
    expect(failure.get_by_role("heading", level=1)).to_have_text(title)
    expect(failure).to_contain_text("Error 404")
    # The layout stays around it: the top bar, live, with its navigation.
    expect(page.locator("header.topbar")).to_have_attribute("data-realtime", "connected")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    failure.get_by_role("link", name="Back to Home").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()
