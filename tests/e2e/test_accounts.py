"""A newcomer registers with an avatar, stays logged in across reloads and browser restarts,
logs out, mistypes the password, and logs in again."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import images
from tests.e2e.test_follows import join

PASSWORD = "a long enough secret"


def fill_registration(page: Page, tmp_path, *, email: str, avatar: bool = True) -> None:
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_label("Nickname (optional)").fill("countess")
    page.get_by_label("About me (optional)").fill("Poetical science ✨")
    if avatar:
        picture = tmp_path / "ada.png"
        picture.write_bytes(images.png(size=(96, 96)))
        page.get_by_label("Avatar (optional)").set_input_files(picture)


def welcomed(page: Page):
    """Home greets the one logged in."""
    return page.get_by_role("heading", name="Welcome, Ada", level=1)


def test_register_reload_restart_logout_and_login(new_page, tmp_path):
    page = new_page()
    fill_registration(page, tmp_path, email="ada@example.com")
    preview = page.locator("img[src^='blob:']")
    expect(preview).to_be_visible()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(welcomed(page)).to_be_visible()
    avatar = page.locator("img[src^='/media/']").first
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.naturalWidth") == 96

    page.reload()
    expect(welcomed(page)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # A browser restart: a new browser context with only what the browser kept on disk.
    state = page.context.storage_state()
    (sid,) = [cookie for cookie in state["cookies"] if cookie["name"] == "sid"]
    assert sid["httpOnly"] and sid["sameSite"] == "Lax" and sid["expires"] > 0  # persistent
    restarted = new_page(storage_state=state)
    restarted.goto("/")
    expect(welcomed(restarted)).to_be_visible()

    restarted.get_by_role("button", name="Log out").click()
    expect(restarted).to_have_url(re.compile(r"/login$"))
    restarted.goto("/")
    expect(restarted).to_have_url(re.compile(r"/login$"))

    restarted.get_by_label("Email").fill("ada@example.com")
    restarted.get_by_label("Password").fill("not the password")
    restarted.get_by_role("button", name="Log in").click()
    expect(restarted.get_by_role("alert")).to_contain_text("Wrong email or password")

    restarted.get_by_label("Password").fill(PASSWORD)
    restarted.get_by_role("button", name="Log in").click()
    expect(restarted).to_have_url(re.compile(r"/$"))
    expect(welcomed(restarted)).to_be_visible()


def test_registration_errors_are_shown_next_to_their_fields(new_page, tmp_path):
    first = new_page()
    fill_registration(first, tmp_path, email="grace@example.com", avatar=False)
    first.get_by_role("button", name="Create account").click()
    expect(first).to_have_url(re.compile(r"/$"))

    second = new_page()
    fill_registration(second, tmp_path, email="GRACE@example.com", avatar=False)
    second.get_by_role("button", name="Create account").click()
    expect(second.get_by_text(re.compile("already registered", re.I))).to_be_visible()
    expect(second.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(second).to_have_url(re.compile(r"/register$"))


def test_a_logged_out_visitor_only_sees_login_and_register(new_page):
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_a_phone_keeps_the_account_behind_the_avatar(new_page):
    """At 390 px the top bar holds brand, search, bell and avatar; the navigation is a bar at
    the bottom; profile, settings and "Log out" are in the avatar's menu."""
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    join(page, "Ada")
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    home = nav.get_by_role("link", name="Home", exact=True)
    box = home.bounding_box()
    assert box is not None and box["y"] + box["height"] > 844 - 60, "navigation at the bottom"

    account = page.get_by_role("button", name="Account")
    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(account).to_be_focused()
    expect(account).to_have_attribute("aria-expanded", "false")

    account.click()
    page.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings/security$"))
    expect(account).to_have_attribute("aria-expanded", "false")

    account.click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_the_register_form_speaks_with_one_voice(new_page):
    """The date of birth is checked when left (its maximum is today, whatever is typed);
    each complaint goes as soon as its field is being fixed."""
    page = new_page()
    page.goto("/register")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter your email address.")).to_be_visible()
    birth = page.get_by_label("Date of birth")
    birth.fill("2999-01-01")
    birth.blur()
    expect(page.get_by_text("Enter a date of birth in the past.")).to_be_visible()
    expect(birth).to_have_attribute("aria-invalid", "true")
    birth.fill("1990-12-10")
    expect(page.get_by_text("Enter a date of birth in the past.")).to_have_count(0)
    page.get_by_label("Email").fill("ada@example.com")
    expect(page.get_by_text("Enter your email address.")).to_have_count(0)


def test_the_composer_forgets_its_complaint_once_answered(new_page):
    page = new_page()
    join(page, "Ada")
    page.get_by_role("button", name="Post", exact=True).click()
    complaint = page.get_by_text("Write something or add an image.")
    expect(complaint).to_be_visible()
    page.get_by_label("What's on your mind?").fill("Hello")
    expect(complaint).to_have_count(0)


def test_the_first_tab_offers_to_skip_to_the_content(new_page):
    """The keyboard's first stop is "Skip to content", shown when focused; it leads past the
    top bar into the page."""
    page = new_page()
    join(page, "Ada")
    page.goto("/people")
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
