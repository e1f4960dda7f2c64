"""Sign in through the local OpenID provider in the browser: a newcomer makes an account and
completes the profile, a registered person's verified email links their account, and a forged
state is refused with a message on the login page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_follows import join


def through_provider(page: Page, login: str) -> None:
    """At the provider's development pages: any login signs in, then consent."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_newcomer_signs_in_with_the_provider_and_completes_the_profile(new_page):
    page = new_page()
    page.goto("/register")
    page.get_by_role("link", name="Sign up with Local ID").click()
    through_provider(page, "newbie")

    expect(page).to_have_url(re.compile(r"/complete-profile\?next=/$"))
    expect(page.get_by_label("First name")).to_have_value("Newbie")
    expect(page.get_by_label("Last name")).to_have_value("Provider")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Enter your date of birth.")).to_be_visible()
    page.get_by_label("Date of birth").fill("1992-05-17")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header.topbar")).to_have_attribute("data-realtime", "connected")
    page.goto("/settings/security")
    expect(page.get_by_role("list", name="Your sessions")).to_contain_text("This browser")


def test_a_verified_email_signs_into_the_existing_account(new_page):
    registered, elsewhere = new_page(), new_page()
    join(registered, "Alice")
    elsewhere.goto("/login")
    elsewhere.get_by_role("link", name="Continue with Local ID").click()
    through_provider(elsewhere, "alice")
    expect(elsewhere).to_have_url(re.compile(r"/$"))
    elsewhere.get_by_role("link", name="Your profile:").click()
    expect(elsewhere.get_by_text("alice@example.com")).to_be_visible()
    expect(elsewhere.get_by_role("heading", name="Alice Tester")).to_be_visible()


def test_a_forged_state_comes_back_to_the_login_page(new_page):
    page = new_page()
    page.goto("/api/auth/oidc/local/callback?state=forged&code=whatever")
    expect(page).to_have_url(re.compile(r"/login\?error=state$"))
    expect(page.get_by_role("alert")).to_contain_text("could not be checked")
