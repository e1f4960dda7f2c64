"""Rate limits (SPEC.md, Accounts and sessions), measured from outside a real server: failed
logins per account (always on, across processes), budgets per client address (with a trusted
proxy's X-Forwarded-For, and off with SOCIALNET_RATE_LIMITS=off), 429 with Retry-After.

The fixture `server` runs with the per-address budgets off, as the rest of the suite does;
`limited` runs with them on. Windows of minutes pass with `server.clock.advance`, never a sleep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import trio

from server.config import parse_networks
from server.ratelimit import LOGIN, REGISTER, UPLOAD, WRITE
from tests.conftest import PASSWORD, RunningServer, register, start_server
from tests.images import png

LOGIN_PATH = "/api/auth/login"
WRONG = "wrong password"


@pytest.fixture
async def limited(database_url, tmp_path, nursery) -> AsyncIterator[RunningServer]:
    async for running in start_server(database_url, tmp_path, nursery, rate_limits=True):
        yield running


@pytest.fixture
async def behind_proxy(database_url, tmp_path, nursery) -> AsyncIterator[RunningServer]:
    """A server whose peer 127.0.0.1 is a trusted proxy (as nginx on the same host would be)."""
    proxies = parse_networks(("127.0.0.1",), name="test")
    async for running in start_server(
        database_url, tmp_path, nursery, rate_limits=True, trusted_proxies=proxies
    ):
        yield running


@pytest.fixture
async def open_client(nursery) -> AsyncIterator:
    """A factory of HTTP clients for any server, closed at the end."""
    clients: list[httpx.AsyncClient] = []

    def make(server: RunningServer, **headers: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=server.url, timeout=30, headers=headers)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


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


# --- budgets per client address -----------------------------------------------------------------


async def test_the_sixth_registration_from_one_address_is_refused(limited, open_client):
    client = open_client(limited)
    for n in range(REGISTER.limit):
        response = await register(client, email=f"p{n}@example.com", first_name="P")
        assert response.status_code == 201, response.text
    refused = await register(client, email="late@example.com", first_name="Late")
    assert_rate_limited(refused, within=REGISTER.seconds)
    # Refused before its body was read: the connection closes (server/http/guards.py).
    assert refused.headers["Connection"] == "close"
    limited.clock.advance(REGISTER.seconds)
    # Nothing of the refused one was stored: the same email registers now.
    response = await register(client, email="late@example.com", first_name="Late")
    assert response.status_code == 201, response.text


async def test_logins_from_one_address(limited, open_client):
    client = open_client(limited)
    assert (await register(client, email="real@example.com", first_name="Real")).status_code == 201
    # Guesses spread over many accounts: each stays under its own limit, the address does not.
    for n in range(LOGIN.limit):
        assert (await login(client, f"guess{n}@example.com", WRONG)).status_code == 401
    assert_rate_limited(await login(client, "real@example.com"), within=LOGIN.seconds)


async def test_other_writes_from_one_address(limited, open_client):
    client = open_client(limited)
    for _ in range(WRITE.limit):
        assert (await client.post("/api/auth/logout")).status_code == 401
    refused = await client.post("/api/auth/logout")
    assert_rate_limited(refused, within=WRITE.seconds)
    # Reads are not counted.
    assert (await client.get("/api/health")).status_code == 200


async def test_password_reset_requests_have_their_own_budget(limited, open_client):
    client = open_client(limited)
    path = "/api/auth/password-reset"
    for _ in range(5):
        answer = await client.post(path, json={"email": "someone@example.com"})
        assert answer.status_code != 429
    assert_rate_limited(await client.post(path, json={"email": "x@example.com"}), within=30 * 60)
    # A budget of its own: other writes still pass.
    assert (await client.post("/api/auth/logout")).status_code == 401


async def test_uploads_from_one_address(limited, open_client):
    client = open_client(limited)
    assert (await register(client, email="up@example.com", first_name="Up")).status_code == 201
    image = {"avatar": ("a.png", png(), "image/png")}
    for _ in range(UPLOAD.limit):
        response = await client.put("/api/users/me/avatar", files=image)
        assert response.status_code == 200, response.text
    assert_rate_limited(
        await client.put("/api/users/me/avatar", files=image), within=UPLOAD.seconds
    )
    # A large body is refused before it is read, and its connection closed.
    big = {"image": ("big.png", b"\x89PNG" + bytes(400 * 1024), "image/png")}
    refused = await client.post("/api/posts", data={"body": "big", "privacy": "public"}, files=big)
    assert_rate_limited(refused, within=UPLOAD.seconds)
    assert refused.headers["Connection"] == "close"
    # A post without a file is no upload.
    no_file = {"image": ("", b"", "application/octet-stream")}
    text_only = await client.post(
        "/api/posts", data={"body": "words only", "privacy": "public"}, files=no_file
    )
    assert text_only.status_code == 201, text_only.text


async def test_with_the_budgets_off_one_address_registers_freely(server, new_client):
    client = new_client()
    for n in range(REGISTER.limit + 3):
        response = await register(client, email=f"load{n}@example.com", first_name="Load")
        assert response.status_code == 201, response.text


# --- who the client is: a trusted proxy's X-Forwarded-For ---------------------------------------


async def test_a_trusted_proxy_names_the_client(behind_proxy, open_client):
    client = open_client(behind_proxy, **{"X-Forwarded-For": "198.51.100.1"})
    for n in range(REGISTER.limit):
        response = await register(client, email=f"p{n}@example.com", first_name="P")
        assert response.status_code == 201, response.text
    refused = await register(client, email="again@example.com", first_name="Again")
    assert_rate_limited(refused, within=REGISTER.seconds)
    # A hop the client wrote itself, left of what the proxy appended, changes nothing.
    spoofing = open_client(behind_proxy, **{"X-Forwarded-For": "192.0.2.66, 198.51.100.1"})
    assert (await register(spoofing, email="spoof@example.com", first_name="S")).status_code == 429
    # Another client behind the same proxy has a budget of its own.
    other = open_client(behind_proxy, **{"X-Forwarded-For": "198.51.100.2"})
    assert (await register(other, email="other@example.com", first_name="O")).status_code == 201


async def test_an_untrusted_peers_forwarded_for_is_ignored(limited, open_client):
    for n in range(REGISTER.limit):
        client = open_client(limited, **{"X-Forwarded-For": f"198.51.100.{n + 1}"})
        response = await register(client, email=f"p{n}@example.com", first_name="P")
        assert response.status_code == 201
    rotating = open_client(limited, **{"X-Forwarded-For": "198.51.100.99"})
    assert (await register(rotating, email="late@example.com", first_name="L")).status_code == 429


@pytest.fixture
async def second_limited(limited, nursery) -> AsyncIterator[RunningServer]:
    """Another server with budgets on, on the same database (another worker or host)."""
    async for running in start_server(
        limited.config.database_url, limited.config.data_dir, nursery, rate_limits=True
    ):
        yield running


async def test_registrations_are_counted_together_by_every_process(
    limited, second_limited, open_client
):
    """However a client's connections are spread over workers and hosts, SPEC.md's number
    holds exactly: 5 registrations per 30 minutes from one address, no fewer, no more."""
    on_first, on_second = open_client(limited), open_client(second_limited)
    for n in range(REGISTER.limit):
        client = on_first if n % 2 else on_second
        response = await register(client, email=f"p{n}@example.com", first_name="P")
        assert response.status_code == 201, response.text
    for client in (on_first, on_second):
        refused = await register(client, email="late@example.com", first_name="Late")
        assert_rate_limited(refused, within=REGISTER.seconds)
