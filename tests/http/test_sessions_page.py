"""The sessions page (API.md, Auth: GET/DELETE /api/auth/sessions; ASVS V3.3.3, V3.3.4): each
session with its start, last use and browser; ending one, or all others, closes their sockets."""

from __future__ import annotations

import pytest
import trio_asyncio

from tests import postgres
from tests.conftest import PASSWORD
from tests.http.test_password_change import assert_closed_for_ended_session
from tests.realtime.wsclient import open_socket, ping

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


async def log_in_as_alice(client, user_agent: str | None = None):
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = await client.post(
        "/api/auth/login",
        json={"email": "alice@example.com", "password": PASSWORD},
        headers=headers,
    )
    assert response.status_code == 200
    return response


async def sql(url: str, statement: str, *args):
    async with trio_asyncio.open_loop():
        return await trio_asyncio.aio_as_trio(postgres.fetch)(url, statement, *args)


async def test_each_session_with_its_browser_start_and_last_use(alice, new_client):
    other = new_client()
    await log_in_as_alice(other, FIREFOX)
    response = await alice.client.get("/api/auth/sessions")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 2
    by_agent = {item["user_agent"]: item for item in items}
    assert set(by_agent) == {"Firefox on Windows", "python-httpx"}
    assert by_agent["python-httpx"]["current"] is True
    assert by_agent["Firefox on Windows"]["current"] is False
    for item in items:
        assert set(item) == {"id", "created_at", "last_seen_at", "user_agent", "current"}
        assert item["created_at"].endswith("Z") and item["last_seen_at"].endswith("Z")
    # Seen from the other browser, the other one is current.
    theirs = (await other.get("/api/auth/sessions")).json()["items"]
    assert [item["current"] for item in theirs if item["user_agent"] == "Firefox on Windows"] == [
        True
    ]


async def test_last_use_moves_at_most_every_five_minutes(server, second_server, alice, new_client):
    url = server.config.database_url
    other = new_client()
    await log_in_as_alice(other, FIREFOX)
    (row,) = await sql(url, "SELECT id FROM sessions WHERE user_agent = $1", FIREFOX)
    ages = "SELECT extract(epoch FROM now() - last_seen_at) AS age FROM sessions WHERE id = $1"

    # Used a minute ago: a request that reads the session writes nothing.
    await sql(
        url,
        "UPDATE sessions SET last_seen_at = now() - interval '1 minute'",
    )
    assert (await other.get("/api/auth/me")).status_code == 200
    (seen,) = await sql(url, ages, row["id"])
    assert 55 < seen["age"] < 120

    # Used six minutes ago: the next request that reads it from the database (here through
    # another process, whose cache has not seen it) moves it to now.
    await sql(url, "UPDATE sessions SET last_seen_at = now() - interval '6 minutes'")
    elsewhere = new_client()
    elsewhere.base_url = second_server.url
    elsewhere.cookies.set("sid", other.cookies["sid"])
    assert (await elsewhere.get("/api/auth/me")).status_code == 200
    (seen,) = await sql(url, ages, row["id"])
    assert seen["age"] < 30


async def test_ending_one_session_closes_its_sockets_only(server, alice, bob, new_client):
    other = new_client()
    await log_in_as_alice(other, FIREFOX)
    items = (await alice.client.get("/api/auth/sessions")).json()["items"]
    (theirs,) = [item for item in items if not item["current"]]
    async with (
        open_socket(server, alice) as mine,
        open_socket(server, cookie=other.cookies["sid"]) as their_socket,
    ):
        await ping(mine)
        await ping(their_socket)
        response = await alice.client.delete(f"/api/auth/sessions/{theirs['id']}")
        assert response.status_code == 204
        await assert_closed_for_ended_session(their_socket)
        await ping(mine)
    assert (await other.get("/api/auth/me")).status_code == 401
    assert (await alice.client.get("/api/auth/me")).status_code == 200
    remaining = (await alice.client.get("/api/auth/sessions")).json()["items"]
    assert [item["current"] for item in remaining] == [True]


async def test_another_users_session_or_an_unknown_id_is_not_found(alice, bob):
    (bobs,) = (await bob.client.get("/api/auth/sessions")).json()["items"]
    for session_id in (bobs["id"], 999_999, 9_223_372_036_854_775_807):
        response = await alice.client.delete(f"/api/auth/sessions/{session_id}")
        assert response.status_code == 404, session_id
        assert response.json()["error"]["code"] == "not_found"
    assert (await bob.client.get("/api/auth/me")).status_code == 200
    assert (await alice.client.delete("/api/auth/sessions/0")).status_code == 404
    # Not an id: no such route, as any unknown API path.
    for path in ("/api/auth/sessions/-1", "/api/auth/sessions/x"):
        assert (await alice.client.delete(path)).status_code == 404


async def test_ending_the_current_session_logs_this_browser_out(alice):
    (mine,) = (await alice.client.get("/api/auth/sessions")).json()["items"]
    response = await alice.client.delete(f"/api/auth/sessions/{mine['id']}")
    assert response.status_code == 204
    assert 'sid=""' in response.headers["set-cookie"] or "sid=;" in response.headers["set-cookie"]
    assert (await alice.client.get("/api/auth/me")).status_code == 401


async def test_ending_every_other_session(server, alice, bob, new_client):
    phones = [new_client() for _ in range(2)]
    for phone in phones:
        await log_in_as_alice(phone, FIREFOX)
    async with (
        open_socket(server, alice) as mine,
        open_socket(server, cookie=phones[0].cookies["sid"]) as phone_socket,
        open_socket(server, bob) as bobs,
    ):
        for socket in (mine, phone_socket, bobs):
            await ping(socket)
        response = await alice.client.delete("/api/auth/sessions?others=true")
        assert response.status_code == 204
        await assert_closed_for_ended_session(phone_socket)
        await ping(mine)
        await ping(bobs)
    for phone in phones:
        assert (await phone.get("/api/auth/me")).status_code == 401
    items = (await alice.client.get("/api/auth/sessions")).json()["items"]
    assert [item["current"] for item in items] == [True]
    assert (await bob.client.get("/api/auth/me")).status_code == 200


@pytest.mark.parametrize("query", ["", "?others=false", "?others=maybe"])
async def test_ending_others_must_say_so(alice, new_client, query):
    other = new_client()
    await log_in_as_alice(other)
    response = await alice.client.delete(f"/api/auth/sessions{query}")
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"others"}
    assert (await other.get("/api/auth/me")).status_code == 200


async def test_a_strange_user_agent_is_stored_safely(alice, new_client):
    other = new_client()
    await log_in_as_alice(other, "x" * 5000)
    names = {
        item["user_agent"]
        for item in (await alice.client.get("/api/auth/sessions")).json()["items"]
    }
    assert names == {"python-httpx", "Unknown browser"}


async def test_sessions_need_a_session(server, new_client):
    client = new_client()
    assert (await client.get("/api/auth/sessions")).status_code == 401
    assert (await client.delete("/api/auth/sessions?others=true")).status_code == 401
    assert (await client.delete("/api/auth/sessions/1")).status_code == 401
