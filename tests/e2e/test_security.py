"""Password and sessions in the browser: changing the password ends the other browsers'
sessions, and one browser ends another's session from the sessions page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_follows import PASSWORD, join

NEW_PASSWORD = "another long secret"


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header.topbar")).to_have_attribute("data-realtime", "connected")


def test_a_password_change_ends_the_other_browsers_session(new_page):
    laptop, phone = new_page(), new_page()
    join(laptop, "Alice")
    log_in(phone, "alice@example.com", PASSWORD)

    laptop.get_by_role("link", name="Settings").click()
    expect(laptop).to_have_url(re.compile(r"/settings/security$"))
    laptop.get_by_label("Current password").fill("not my password")
    laptop.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    laptop.get_by_label("New password, again").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_text("That is not your current password.")).to_be_visible()
    expect(laptop.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")

    laptop.get_by_label("Current password").fill(PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_role("status")).to_contain_text("Your password is changed")

    # The phone's socket is closed for its ended session: it finds itself logged out.
    expect(phone).to_have_url(re.compile(r"/login$"))
    laptop.reload()
    expect(laptop.get_by_role("heading", name="Settings")).to_be_visible()

    log_in(phone, "alice@example.com", NEW_PASSWORD)
