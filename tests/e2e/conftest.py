"""Browser tests: Playwright (sync API) driving Debian's chromium against `socialnet serve`.

This suite runs in a pytest process of its own (`-p no:trio`): Playwright's sync API and
pytest-trio cannot share one. Every browser context is a separate person with their own cookies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from server.config import REPO_ROOT
from tests import postgres
from tests.e2e import a11y
from tests.mailbox import Mailbox, free_port, running_mailbox
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from tests.serving import serve_process

CHROMIUM = os.environ.get("SOCIALNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CLIENT_BUILD = REPO_ROOT / "client" / "build"

# Live updates cross a socket, the bus and a refetch; on a loaded 2-core CI box that can take
# longer than Playwright's default 5 s for an assertion to come true.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def e2e_database_url() -> Iterator[str]:
    name = f"socialnet_e2e_{os.getpid()}"
    yield postgres.create_migrated_database(name)
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """The SMTP server the browser suite's server mails to (password resets)."""
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="session")
def base_url(e2e_database_url, tmp_path_factory, mailbox) -> Iterator[str]:
    assert (CLIENT_BUILD / "index.html").is_file(), "build the client first (make install)"
    data_dir = tmp_path_factory.mktemp("e2e-data")
    # A port known in advance: it is the public URL of mailed links and of the provider's
    # redirect back to us, and the provider must know that redirect before it starts.
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    with running_provider(f"{public_url}/api/auth/oidc/local/callback") as issuer:
        env = {
            "SOCIALNET_SMTP_URL": mailbox.url,
            "SOCIALNET_PUBLIC_URL": public_url,
            "SOCIALNET_OIDC_PROVIDERS": "local",
            "SOCIALNET_OIDC_LOCAL_ISSUER": issuer,
            "SOCIALNET_OIDC_LOCAL_CLIENT_ID": CLIENT_ID,
            "SOCIALNET_OIDC_LOCAL_CLIENT_SECRET": CLIENT_SECRET,
            "SOCIALNET_OIDC_LOCAL_LABEL": "Local ID",
        }
        with serve_process(
            e2e_database_url, data_dir, client_dir=CLIENT_BUILD, env=env, port=port
        ) as url:
            yield url


@pytest.fixture(autouse=True)
def empty_database(e2e_database_url) -> None:
    postgres.truncate_all(e2e_database_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# axe-core's moderate and minor findings over the whole run, listed at its end (a11y.py).
A11Y_NOTES: dict[tuple, a11y.Violation] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    if A11Y_NOTES:
        terminalreporter.section("axe-core: moderate and minor findings")
        for line in a11y.summary_lines(list(A11Y_NOTES.values())):
            terminalreporter.line(line)


@pytest.fixture
def audit() -> a11y.Audit:
    """What axe-core finds in this test's pages (a11y.py); `audit.check(page)` checks now."""
    return a11y.Audit()


@pytest.fixture
def new_page(browser: Browser, base_url: str, audit: a11y.Audit) -> Iterator[Callable[..., Page]]:
    """A factory of people: each call opens a fresh browser context (its own cookie jar).
    `options` go to `browser.new_context` (a user agent, say)."""
    contexts = []
    # The pages' Content-Security-Policy must never block our own code: any violation the
    # browser reports, on any page of any test, fails the test.
    violations: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def make(storage_state=None, **options) -> Page:
        # Reduced motion: no transition is caught half-way by axe's colour checks.
        context = browser.new_context(
            base_url=base_url, storage_state=storage_state, reduced_motion="reduce", **options
        )
        context.set_default_timeout(10_000)
        context.on("console", on_console)
        audit.attach(context, base_url)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        for page in context.pages:
            audit.finish(page)
    for context in contexts:
        context.close()
    assert violations == [], "\n".join(violations)
    for violation in audit.others():
        A11Y_NOTES.setdefault((violation.rule, violation.path, violation.width), violation)
    failures = audit.failures()
    assert failures == [], "axe-core:\n" + "\n".join(v.describe() for v in failures)
