"""Accounts and sessions through the real server (API.md, Auth; SPEC.md, Accounts and sessions)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from tests import postgres
from tests.conftest import PASSWORD, register


def session_cookie(response) -> SimpleCookie:
    cookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookie.load(header)
    return cookie


async def test_register_logs_in_and_me_returns_every_field(new_client):
    client = new_client()
    response = await register(
        client,
        email="Dana@Example.com",
        first_name=" Dana ",
        last_name="Scully",
        nickname="ds",
        about_me="I want to believe 👽",
        is_public=False,
    )
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["email"] == "Dana@example.com"
    assert (user["first_name"], user["last_name"], user["nickname"]) == ("Dana", "Scully", "ds")
    assert user["about_me"] == "I want to believe 👽"
    assert user["date_of_birth"] == "1990-04-01"
    assert user["is_public"] is False
    assert user["avatar_url"] is None
    assert "password" not in str(response.json()) and "password_hash" not in user

    me = await client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"] == user


async def test_optional_fields_may_be_skipped(new_client):
    response = await register(new_client(), email="min@example.com", first_name="Min")
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["nickname"] is None and user["about_me"] is None and user["is_public"] is True


async def test_session_cookie_flags(new_client):
    response = await register(new_client(), email="flags@example.com", first_name="Flag")
    morsel = session_cookie(response)["sid"]
    assert len(morsel.value) >= 22  # 128 bits or more, URL-safe base64
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == 30 * 24 * 3600
    assert not morsel["secure"]  # plain HTTP here; SOCIALNET_SECURE_COOKIES turns it on


async def test_duplicate_email_is_refused_whatever_its_case(alice, new_client):
    response = await register(new_client(), email="ALICE@example.COM", first_name="Other")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", ""),
        ("password", "short"),
        ("first_name", "   "),
        ("last_name", ""),
        ("date_of_birth", "1990-02-30"),
        ("date_of_birth", "yesterday"),
        ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "1899-12-31"),
        ("nickname", "n" * 51),
        ("about_me", "a" * 2001),
        ("is_public", "maybe"),
    ],
)
async def test_each_bad_field_is_named(new_client, field, value):
    fields = {
        "email": "valid@example.com",
        "first_name": "Val",
        "last_name": "Id",
        "password": PASSWORD,
        "date_of_birth": "1990-04-01",
    }
    fields[field] = value
    client = new_client()
    response = await register(client, **fields)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {field}
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_several_bad_fields_are_reported_together(new_client):
    response = await new_client().post("/api/auth/register", data={"email": "x"})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {"email", "password", "first_name", "last_name", "date_of_birth"} <= set(fields)


async def test_json_register_is_refused_with_the_contract_error(new_client):
    response = await new_client().post("/api/auth/register", json={"email": "a@b.co"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_login_gives_a_new_token_each_time(alice, new_client):
    first = new_client()
    one = await first.post(
        "/api/auth/login", json={"email": "alice@EXAMPLE.com", "password": PASSWORD}
    )
    assert one.status_code == 200
    assert one.json()["user"]["id"] == alice.id
    two = await new_client().post(
        "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    assert session_cookie(one)["sid"].value != session_cookie(two)["sid"].value
    assert (await first.get("/api/auth/me")).json()["user"]["id"] == alice.id


async def test_wrong_email_and_wrong_password_answer_alike(alice, new_client):
    client = new_client()
    wrong_password = await client.post(
        "/api/auth/login", json={"email": "alice@example.com", "password": "wrong password"}
    )
    wrong_email = await client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert wrong_password.json() == wrong_email.json()
    assert wrong_password.json()["error"]["code"] == "invalid_credentials"
    assert "set-cookie" not in wrong_password.headers
    assert (await client.get("/api/auth/me")).status_code == 401


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"email": 1, "password": 2}'])
async def test_malformed_login_bodies_get_a_validation_error(server, new_client, body):
    response = await new_client().post(
        "/api/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_two_browsers_keep_independent_sessions(alice, new_client):
    other = new_client()
    await other.post("/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert (await alice.client.post("/api/auth/logout")).status_code == 204
    assert (await alice.client.get("/api/auth/me")).status_code == 401
    assert (await other.get("/api/auth/me")).status_code == 200


async def test_logout_deletes_the_session_server_side(alice, server, new_client):
    token = alice.client.cookies["sid"]
    response = await alice.client.post("/api/auth/logout")
    assert response.status_code == 204
    cleared = session_cookie(response)["sid"]
    assert cleared.value == "" and int(cleared["max-age"]) == 0

    # Replaying the old token from another client does not work: the row is gone.
    replay = new_client()
    replay.cookies.set("sid", token)
    assert (await replay.get("/api/auth/me")).status_code == 401
    rows = await _sessions_of(server.config.database_url, alice.id)
    assert rows == []


async def _sessions_of(url: str, user_id: int):
    import trio_asyncio

    async with trio_asyncio.open_loop():
        return await trio_asyncio.aio_as_trio(postgres.fetch)(
            url, "SELECT id FROM sessions WHERE user_id = $1", user_id
        )


async def test_a_forged_or_oversized_cookie_is_just_unauthenticated(server, new_client):
    for value in ("forged", "x" * 4000):
        client = new_client()
        client.cookies.set("sid", value)
        response = await client.get("/api/auth/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/auth/me"),
        ("POST", "/api/auth/logout"),
        ("GET", "/api/users"),
        ("GET", "/media/1"),
        ("GET", "/api/no-such-route"),
    ],
)
async def test_every_private_route_needs_a_session(server, new_client, method, path):
    response = await new_client().request(method, path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_foreign_origin_is_refused_on_unsafe_methods(alice, new_client):
    evil = {"Origin": "http://evil.example"}
    login = await new_client().post(
        "/api/auth/login",
        json={"email": "alice@example.com", "password": PASSWORD},
        headers=evil,
    )
    assert login.status_code == 403
    assert login.json()["error"]["code"] == "forbidden_origin"
    logout = await alice.client.post("/api/auth/logout", headers=evil)
    assert logout.status_code == 403
    assert (await alice.client.get("/api/auth/me")).status_code == 200
    # Reads are not state-changing: a foreign Origin on GET is not refused.
    assert (await alice.client.get("/api/auth/me", headers=evil)).status_code == 200


async def test_our_host_and_port_under_another_scheme_is_a_foreign_origin(alice, server):
    same_host_over_tls = server.url.replace("http://", "https://", 1)
    response = await alice.client.post("/api/auth/logout", headers={"Origin": same_host_over_tls})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_origin"
    assert (await alice.client.get("/api/auth/me")).status_code == 200


async def test_own_and_listed_origins_are_allowed(alice, server):
    own = server.url  # http://127.0.0.1:<port>, the same host and port as the Host header
    for origin in (own, "http://allowed.example"):
        response = await alice.client.post(
            "/api/auth/login",
            json={"email": "alice@example.com", "password": PASSWORD},
            headers={"Origin": origin},
        )
        assert response.status_code == 200, origin


async def test_unknown_api_route_is_a_json_404_for_a_logged_in_user(alice):
    response = await alice.client.get("/api/no-such-route")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    wrong_method = await alice.client.delete("/api/auth/me")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
