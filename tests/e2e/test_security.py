"""Password and sessions in the browser: changing the password ends the other browsers'
sessions, and one browser ends another's session from the sessions page."""

from __future__ import annotations

import json
import re
import zipfile

from playwright.sync_api import Page, expect

from tests.e2e.test_follows import PASSWORD, join
from tests.mailbox import link_in

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
    changed = laptop.get_by_role("main").get_by_role("status")
    expect(changed).to_contain_text("Your password is changed")

    # The phone's socket is closed for its ended session: it finds itself logged out.
    expect(phone).to_have_url(re.compile(r"/login$"))
    laptop.reload()
    expect(laptop.get_by_role("heading", name="Settings")).to_be_visible()

    log_in(phone, "alice@example.com", NEW_PASSWORD)


def test_one_browser_ends_another_browsers_session(new_page):
    laptop = new_page()
    join(laptop, "Alice")
    # Another browser, on another system as far as the server can tell.
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    phone = new_page(user_agent=firefox)
    log_in(phone, "alice@example.com", PASSWORD)

    laptop.goto("/settings/security")
    sessions = laptop.get_by_role("list", name="Your sessions")
    expect(sessions.get_by_role("listitem")).to_have_count(2)
    expect(sessions).to_contain_text("This browser")
    expect(sessions).to_contain_text("Firefox on Windows")
    expect(sessions).to_contain_text("Active within the last 5 minutes")

    sessions.get_by_role("button", name=re.compile("End session: Firefox on Windows")).click()
    expect(sessions.get_by_role("listitem")).to_have_count(1)
    expect(phone).to_have_url(re.compile(r"/login$"))
    expect(laptop.get_by_role("button", name="End all other sessions")).to_have_count(0)

    # Back on the phone, then every other session at once from the laptop.
    log_in(phone, "alice@example.com", PASSWORD)
    laptop.reload()
    laptop.get_by_role("button", name="End all other sessions").click()
    laptop.get_by_role("dialog").get_by_role("button", name="End them").click()
    expect(phone).to_have_url(re.compile(r"/login$"))
    expect(sessions.get_by_role("listitem")).to_have_count(1)


def test_a_forgotten_password_is_reset_through_the_mailed_link(new_page, mailbox, base_url):
    laptop, other = new_page(), new_page()
    join(laptop, "Alice")
    other.goto("/login")
    other.get_by_role("link", name="Forgot password?").click()
    expect(other).to_have_url(re.compile(r"/forgot-password$"))
    other.get_by_label("Email").fill("alice@example.com")
    other.get_by_role("button", name="Send me a link").click()
    expect(other.get_by_role("main").get_by_role("status")).to_contain_text("is on its way")

    link = link_in(mailbox.next_mail())
    assert link.startswith(f"{base_url}/reset-password?token=")
    other.goto(link)
    other.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    other.get_by_label("New password, again").fill(NEW_PASSWORD)
    other.get_by_role("button", name="Set my new password").click()
    expect(other.get_by_role("main").get_by_role("status")).to_contain_text("Your password is set")
    # Every session ended: the laptop is logged out.
    expect(laptop).to_have_url(re.compile(r"/login$"))

    # The link works once.
    other.goto(link)
    other.get_by_label("New password", exact=True).fill("a third secret here")
    other.get_by_label("New password, again").fill("a third secret here")
    other.get_by_role("button", name="Set my new password").click()
    expect(other.get_by_role("alert")).to_contain_text("already used")

    log_in(other, "alice@example.com", NEW_PASSWORD)


def test_exporting_and_deleting_an_account(new_page, tmp_path):
    dan, alice = new_page(), new_page()
    dan_id = join(dan, "Dan")
    join(alice, "Alice")
    created = dan.request.post("/api/posts", multipart={"body": "Dan was here"})
    assert created.status == 201

    dan.get_by_role("link", name="Settings").click()
    dan.get_by_role("link", name="Your data and account").click()
    with dan.expect_download() as download:
        dan.get_by_role("link", name="Download my data").click()
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        data = json.loads(opened.read("data.json"))
    assert [post["body"] for post in data["posts"]] == ["Dan was here"]

    dan.get_by_role("button", name="Delete my account…").click()
    dialog = dan.get_by_role("dialog", name="Delete your account?")
    expect(dialog).to_contain_text("messages you sent")
    expect(dialog).to_contain_text("earliest-joined remaining member")
    dialog.get_by_label("Your password").fill("not my password")
    dialog.get_by_role("button", name="Delete my account").click()
    expect(dialog.get_by_role("alert")).to_have_text("That is not your password.")
    dialog.get_by_label("Your password").fill(PASSWORD)
    dialog.get_by_role("button", name="Delete my account").click()
    expect(dan).to_have_url(re.compile(r"/login$"))

    alice.goto(f"/users/{dan_id}")
    expect(alice.get_by_role("heading", name="Profile not available")).to_be_visible()
    expect(alice.get_by_text("There is no such person.")).to_be_visible()
    alice.goto("/people")
    expect(alice.get_by_text("Alice Tester").first).to_be_visible()
    expect(alice.get_by_text("Dan Tester")).to_have_count(0)
