"""`socialnet admin`: the real command in a process of its own, on the database a running
server uses; what it does is seen through that server (logins, sockets closed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import trio
from trio_websocket import ConnectionClosed

from server.realtime import protocol
from tests.conftest import PASSWORD
from tests.realtime.wsclient import FRAME_DEADLINE, open_socket, ping

NEW_PASSWORD = "a brand new passphrase"


async def admin(database_url: str, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    with trio.fail_after(60):
        return await trio.run_process(
            [sys.executable, "-m", "server.cli", "admin", *args],
            stdin=stdin,
            capture_stdout=True,
            capture_stderr=True,
            check=False,
            env=env,
        )


def failed(result: subprocess.CompletedProcess, says: str) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("socialnet admin: "), lines
    assert says in lines[0], lines


async def log_in(client, password: str):
    return await client.post(
        "/api/auth/login", json={"email": "dora@example.com", "password": password}
    )


async def wait_closed(socket) -> int:
    with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
        while True:
            await socket.get_message()
    return socket.closed.code


async def test_users_create_takes_the_password_from_stdin_never_from_argv(server, new_client):
    url = server.config.database_url
    create = ["users", "create", "dora@example.com", "--first-name", "Dora"]
    create += ["--last-name", "Explorer", "--date-of-birth", "1990-01-02"]
    made = await admin(url, *create, stdin=PASSWORD.encode() + b"\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.decode().startswith("created account ")
    assert (await log_in(new_client(), PASSWORD)).status_code == 200

    failed(await admin(url, *create, stdin=PASSWORD.encode()), "already registered")
    other = ["users", "create", "eve@example.com", "--first-name", "Eve", "--last-name", "E"]
    failed(
        await admin(url, *other, "--date-of-birth", "1990-01-02", stdin=b"short\n"),
        "password: at least 8 characters",
    )
    failed(
        await admin(url, *other, "--date-of-birth", "2999-01-01", stdin=PASSWORD.encode()),
        "date_of_birth: must be in the past",
    )
    failed(await admin(url, *other, "--date-of-birth", "1990-01-02"), "no password on standard")
    on_argv = await admin(url, *other, "--date-of-birth", "1990-01-02", "--password", PASSWORD)
    assert on_argv.returncode == 2 and b"unrecognized arguments: --password" in on_argv.stderr


async def test_users_set_password_ends_every_session_and_closes_its_sockets(
    server, alice, new_client
):
    url = server.config.database_url
    async with open_socket(server, alice) as socket:
        await ping(socket)
        result = await admin(
            url, "users", "set-password", "ALICE@example.com", stdin=NEW_PASSWORD.encode() + b"\n"
        )
        assert result.returncode == 0, result.stderr
        assert (
            result.stdout.decode().strip()
            == f"password of account {alice.id} set; 1 sessions ended"
        )
        assert await wait_closed(socket) == protocol.CLOSE_SESSION_ENDED
    assert (await alice.client.get("/api/auth/me")).status_code == 401
    browser = new_client()
    for password, status in ((PASSWORD, 401), (NEW_PASSWORD, 200)):
        response = await browser.post(
            "/api/auth/login", json={"email": "alice@example.com", "password": password}
        )
        assert response.status_code == status
    failed(
        await admin(url, "users", "set-password", "nobody@example.com", stdin=b"x" * 9),
        "no account nobody@example.com",
    )


async def test_users_delete_asks_unless_told_and_removes_the_account(server, alice, bob):
    url = server.config.database_url
    assert (await alice.client.post("/api/posts", data={"body": "hello"})).status_code == 201
    failed(await admin(url, "users", "delete", "alice@example.com"), "needs --yes")
    assert (await alice.client.get("/api/auth/me")).status_code == 200  # nothing was deleted

    async with open_socket(server, alice) as socket:
        await ping(socket)
        result = await admin(url, "users", "delete", str(alice.id), "--yes")
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().strip() == f"deleted account {alice.id}"
        assert await wait_closed(socket) == protocol.CLOSE_SESSION_ENDED
    assert (await alice.client.get("/api/auth/me")).status_code == 401
    assert (await bob.client.get(f"/api/users/{alice.id}")).status_code == 404
    failed(await admin(url, "users", "delete", str(alice.id), "--yes"), f"no account {alice.id}")


async def test_users_list_and_sessions_list(server, alice, bob):
    url = server.config.database_url
    listed = await admin(url, "users", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)  # oldest first
    assert sorted((r["id"], r["email"], r["sessions"]) for r in rows) == sorted(
        [(alice.id, "alice@example.com", 1), (bob.id, "bob@example.com", 1)]
    )
    table = (await admin(url, "users", "list", "--search", "bob")).stdout.decode().splitlines()
    assert table[0].split() == ["id", "email", "name", "created", "sessions"]
    assert len(table) == 2 and "bob@example.com" in table[1] and "Bob Example" in table[1]

    sessions = await admin(url, "sessions", "list", "alice@example.com", "--json")
    (only,) = [json.loads(line) for line in sessions.stdout.decode().splitlines()]
    assert only["user_id"] == alice.id and only["email"] == "alice@example.com"
    everyone = await admin(url, "sessions", "list", "--json")
    assert len(everyone.stdout.decode().splitlines()) == 2


async def test_sessions_end_closes_exactly_those_sessions_sockets(server, alice, bob):
    url = server.config.database_url
    listing = await admin(url, "sessions", "list", "alice@example.com", "--json")
    alice_session = json.loads(listing.stdout.decode())["id"]
    async with open_socket(server, alice) as hers, open_socket(server, bob) as his:
        await ping(hers)
        ended = await admin(url, "sessions", "end", str(alice_session))
        assert ended.returncode == 0 and ended.stdout.decode().strip() == "ended 1 sessions"
        assert await wait_closed(hers) == protocol.CLOSE_SESSION_ENDED
        await ping(his)
        by_user = await admin(url, "sessions", "end", "--user", "bob@example.com")
        assert by_user.stdout.decode().strip() == "ended 1 sessions"
        assert await wait_closed(his) == protocol.CLOSE_SESSION_ENDED
    missing = await admin(url, "sessions", "end", str(alice_session))
    assert missing.returncode == 1
    assert missing.stdout.decode().strip() == f"ended 0 sessions; none with id [{alice_session}]"
    failed(await admin(url, "sessions", "end"), "name the sessions to end")
