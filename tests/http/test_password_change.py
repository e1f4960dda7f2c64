"""Password change (API.md, Auth: POST /api/auth/password): the current password is required,
every other session of the user ends and its sockets close, the current one stays."""

from __future__ import annotations

import pytest
import trio
from trio_websocket import ConnectionClosed

from server.realtime import protocol
from tests.conftest import PASSWORD
from tests.realtime.wsclient import FRAME_DEADLINE, open_socket, ping

NEW_PASSWORD = "a brand new passphrase"


async def log_in(client, password: str = PASSWORD, email: str = "alice@example.com"):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def assert_closed_for_ended_session(socket) -> None:
    with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
        while True:
            await socket.get_message()
    assert socket.closed.code == protocol.CLOSE_SESSION_ENDED


async def test_change_ends_every_other_session_and_keeps_this_one(
    server, second_server, alice, bob, new_client
):
    laptop, phone = new_client(), new_client()
    assert (await log_in(laptop)).status_code == 200
    # The phone's session lives on the other server process: its socket closes through the bus.
    phone.base_url = second_server.url
    assert (await log_in(phone)).status_code == 200
    async with (
        open_socket(server, alice) as mine,
        open_socket(server, cookie=laptop.cookies["sid"]) as laptop_socket,
        open_socket(second_server, cookie=phone.cookies["sid"]) as phone_socket,
        open_socket(server, bob) as bobs,
    ):
        for socket in (mine, laptop_socket, phone_socket, bobs):
            await ping(socket)
        # Both processes have seen the phone's session (and cached it).
        assert (await phone.get("/api/auth/me")).status_code == 200

        response = await alice.client.post(
            "/api/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 204, response.text

        await assert_closed_for_ended_session(laptop_socket)
        await assert_closed_for_ended_session(phone_socket)
        await ping(mine)
        await ping(bobs)
    assert (await alice.client.get("/api/auth/me")).status_code == 200
    assert (await laptop.get("/api/auth/me")).status_code == 401
    assert (await phone.get("/api/auth/me")).status_code == 401
    assert (await bob.client.get("/api/auth/me")).status_code == 200

    assert (await log_in(new_client())).status_code == 401
    assert (await log_in(new_client(), NEW_PASSWORD)).status_code == 200


async def test_a_wrong_current_password_changes_nothing(alice, new_client):
    other = new_client()
    await log_in(other)
    response = await alice.client.post(
        "/api/auth/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"current_password"}
    assert (await other.get("/api/auth/me")).status_code == 200
    assert (await log_in(new_client())).status_code == 200
    assert (await log_in(new_client(), NEW_PASSWORD)).status_code == 401


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"current_password", "new_password"}),
        ({"current_password": PASSWORD, "new_password": "short"}, {"new_password"}),
        ({"current_password": PASSWORD, "new_password": 12345678}, {"new_password"}),
        ({"current_password": PASSWORD, "new_password": "x" * 1025}, {"new_password"}),
        ({"current_password": PASSWORD, "new_password": "bad\x00password"}, {"new_password"}),
        ({"current_password": ["x"], "new_password": NEW_PASSWORD}, {"current_password"}),
    ],
)
async def test_bad_bodies_name_their_fields(alice, body, fields):
    response = await alice.client.post("/api/auth/password", json=body)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == fields


async def test_a_lone_surrogate_is_a_validation_error(alice):
    body = b'{"current_password": "\\ud800abcdefgh", "new_password": "a brand new one"}'
    response = await alice.client.post(
        "/api/auth/password", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {"current_password"}


async def test_needs_a_session(server, new_client):
    response = await new_client().post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 401
