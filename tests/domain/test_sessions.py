"""Sessions: expired rows, and login-failure windows that ended, are purged by a periodic task
of the service nursery."""

from __future__ import annotations

import trio
import trio_asyncio

from tests import postgres
from tests.conftest import start_server


async def _expire_all(url: str) -> None:
    await trio_asyncio.aio_as_trio(postgres.fetch)(
        url, "UPDATE sessions SET expires_at = now() - interval '1 second'"
    )


async def _count(url: str) -> int:
    rows = await trio_asyncio.aio_as_trio(postgres.fetch)(url, "SELECT count(*) FROM sessions")
    return rows[0][0]


async def test_expired_sessions_are_purged_when_a_server_starts(server, alice, bob, tmp_path):
    url = server.config.database_url
    async with trio_asyncio.open_loop():
        assert await _count(url) == 2
        await _expire_all(url)
        async with trio.open_nursery() as nursery:
            # A server reports itself started once its first purge is done.
            async for _running in start_server(url, tmp_path / "second", nursery):
                assert await _count(url) == 0
                break
            nursery.cancel_scope.cancel()


async def test_login_failure_windows_that_ended_are_purged(server, alice, new_client, tmp_path):
    url = server.config.database_url
    for email in ("alice@example.com", "nobody@example.com"):
        response = await new_client().post(
            "/api/auth/login", json={"email": email, "password": "wrong password"}
        )
        assert response.status_code == 401
    async with trio_asyncio.open_loop():
        fetch = trio_asyncio.aio_as_trio(postgres.fetch)
        assert (await fetch(url, "SELECT count(*) FROM login_failures"))[0][0] == 2
        # Alice's window ended; the other one is still open.
        await fetch(
            url,
            "UPDATE login_failures SET window_start = now() - interval '16 minutes'"
            " WHERE email_hash = sha256('alice@example.com')",
        )
        async with trio.open_nursery() as nursery:
            async for _running in start_server(url, tmp_path / "second", nursery):
                assert (await fetch(url, "SELECT count(*) FROM login_failures"))[0][0] == 1
                break
            nursery.cancel_scope.cancel()


async def test_the_cache_forgets_every_session_of_a_user_but_the_kept_one():
    from server.domain.sessions import Session, SessionCache

    cache = SessionCache()
    for token, session in (
        ("a", Session(10, 1)),
        ("b", Session(11, 1)),
        ("c", Session(12, 1)),
        ("d", Session(20, 2)),
    ):
        cache.put(token, session)
    cache.forget_user(1, keep=11)
    assert cache.get("a") is None and cache.get("c") is None
    assert cache.get("b") == Session(11, 1) and cache.get("d") == Session(20, 2)
    cache.forget(11)
    cache.forget_user(1)
    assert cache.get("b") is None and cache.get("d") == Session(20, 2)
