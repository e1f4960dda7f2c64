"""Rate limits (SPEC.md, Accounts and sessions), measured from outside a real server: failed
logins per account (always on, across processes), 429 with Retry-After.

The fixture `server` runs with the per-address budgets off, as the rest of the suite does.
Windows of minutes pass with `server.clock.advance`, never a sleep.
"""

from __future__ import annotations

import httpx
import trio

from tests.conftest import PASSWORD

LOGIN_PATH = "/api/auth/login"
WRONG = "wrong password"


def assert_rate_limited(response: httpx.Response, *, within: float) -> int:
    """A 429 rate_limited whose Retry-After (whole seconds) is at most `within` and not far
    below it (the test took a few seconds at most); its value."""
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert within - 60 < retry_after <= within
    return retry_after


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD):
    return await client.post(LOGIN_PATH, json={"email": email, "password": password})


# --- failed logins per account: always on ------------------------------------------------------


async def test_the_eleventh_login_of_an_email_is_refused_even_with_the_right_password(
    server, alice, bob, new_client
):
    attacker = new_client()
    for n in range(10):
        email = "ALICE@example.com" if n % 2 else "alice@example.com"  # one account, any case
        assert (await login(attacker, email, WRONG)).status_code == 401
    refused = await login(attacker, "alice@example.com")
    assert_rate_limited(refused, within=15 * 60)
    assert "set-cookie" not in refused.headers
    # Alice herself, from her own browser, is refused too until the window passes...
    assert (await login(new_client(), "alice@example.com")).status_code == 429
    # ...but her open session goes on, and other accounts log in from the same client.
    assert (await alice.client.get("/api/auth/me")).status_code == 200
    assert (await login(attacker, "bob@example.com")).status_code == 200


async def test_once_the_window_passes_the_email_logs_in_again(server, alice, new_client):
    client = new_client()
    for _ in range(10):
        await login(client, "alice@example.com", WRONG)
    assert (await login(client, "alice@example.com")).status_code == 429
    server.clock.advance(15 * 60 - 5)
    assert (await login(client, "alice@example.com")).status_code == 429
    server.clock.advance(5)
    assert (await login(client, "alice@example.com")).status_code == 200


async def test_a_refused_login_leaves_the_browsers_session_alone(server, alice, new_client):
    for _ in range(10):
        await login(new_client(), "alice@example.com", WRONG)
    # A login from a logged-in browser replaces its session; a refused one does not end it.
    assert (await login(alice.client, "alice@example.com")).status_code == 429
    assert (await alice.client.get("/api/auth/me")).status_code == 200


async def test_an_email_with_no_account_is_limited_alike(server, new_client):
    client = new_client()
    for _ in range(10):
        assert (await login(client, "nobody@example.com", WRONG)).status_code == 401
    assert_rate_limited(await login(client, "nobody@example.com", WRONG), within=15 * 60)


async def test_a_burst_of_guesses_gets_no_more_than_the_limit(server, alice, new_client):
    client = new_client()
    statuses: list[int] = []

    async def guess() -> None:
        statuses.append((await login(client, "alice@example.com", WRONG)).status_code)

    async with trio.open_nursery() as nursery:
        for _ in range(30):
            nursery.start_soon(guess)
    assert sorted(statuses) == [401] * 10 + [429] * 20


async def test_the_count_holds_across_server_processes(server, second_server, alice, new_client):
    first = new_client()
    async with httpx.AsyncClient(base_url=second_server.url, timeout=30) as second:
        for _ in range(5):
            assert (await login(first, "alice@example.com", WRONG)).status_code == 401
            assert (await login(second, "alice@example.com", WRONG)).status_code == 401
        assert (await login(first, "alice@example.com")).status_code == 429
        assert (await login(second, "alice@example.com")).status_code == 429


async def test_a_right_password_does_not_count(server, alice, new_client):
    client = new_client()
    for _ in range(9):
        await login(client, "alice@example.com", WRONG)
    for _ in range(5):
        assert (await login(client, "alice@example.com")).status_code == 200
    assert (await login(client, "alice@example.com", WRONG)).status_code == 401
    assert (await login(client, "alice@example.com")).status_code == 429
