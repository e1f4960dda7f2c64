"""A real OpenID Connect provider for tests: tests/oidc/provider.mjs (the npm package
oidc-provider, installed by `make install` or here with `npm ci` when missing), on a free port
of 127.0.0.1, with its development login and consent pages.

`through_provider` plays the person at the provider's pages over HTTP (for the HTTP suite; the
browser suite clicks them): it types the login, consents, and returns the provider's redirect
back to us, without following it.
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from urllib.parse import urljoin

import httpx

from server.config import REPO_ROOT, ProviderSettings
from tests.processes import wait_or_kill

PROVIDER_DIR = REPO_ROOT / "tests" / "oidc"
CLIENT_ID, CLIENT_SECRET = "socialnet-test", "test-secret"
START_SECONDS = 30
FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.I)


def ensure_installed() -> None:
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PROVIDER_DIR,
            check=True,
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_provider(*redirect_uris: str) -> Iterator[str]:
    """Start the provider (its client may redirect to `redirect_uris`); yield its issuer."""
    ensure_installed()
    port = _free_port()
    process = subprocess.Popen(
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(port), *redirect_uris],
        cwd=PROVIDER_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    ready = threading.Event()
    issuer: list[str] = []

    def watch() -> None:
        for line in process.stdout:
            if line.startswith("ready "):
                issuer.append(line.split()[1])
                ready.set()
        ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not ready.wait(START_SECONDS) or not issuer:
            raise RuntimeError("the test OpenID provider did not start")
        yield issuer[0]
    finally:
        process.stdin.close()  # its lifeline: it stops when its stdin closes
        wait_or_kill(process, 10)


def settings(issuer: str, name: str = "local", label: str = "Local ID") -> ProviderSettings:
    return ProviderSettings(
        name=name, label=label, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, issuer=issuer
    )


async def through_provider(authorization_url: str, login: str, redirect_prefix: str) -> str:
    """Sign in as `login` at the provider's pages and consent; the URL it sends us back to."""
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as browser:
        url, method, data = authorization_url, "GET", None
        for _ in range(12):
            response = await browser.request(method, url, data=data)
            if response.is_redirect:
                location = urljoin(url, response.headers["location"])
                if location.startswith(redirect_prefix):
                    return location
                url, method, data = location, "GET", None
                continue
            assert response.status_code == 200, response.text
            action = urljoin(url, unescape(FORM.search(response.text).group(1)))
            if 'name="login"' in response.text:
                data = {"prompt": "login", "login": login, "password": "anything"}
            else:
                data = {"prompt": "consent"}
            url, method = action, "POST"
        raise AssertionError("the provider never sent the browser back")
