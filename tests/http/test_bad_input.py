"""Input a client chose never earns a 500: each kind of malformed body, text and number gets the
contract's 4xx, anonymous or logged in (issue 13: 12 requests, 6 causes, all once 500)."""

from __future__ import annotations

import pytest

JSON = {"Content-Type": "application/json"}
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/login", DEEP),
        ("/api/auth/login", b'{"email": "\xff\xfe@example.com", "password": "x"}'),
        ("/api/auth/login", b'{"email": "a\\ud800@example.com", "password": "longenough"}'),
        ("/api/auth/login", b'{"email": "a@example.com", "password": "longenough\\udfff"}'),
        ("/api/auth/login", b'{"email": "a\\u0000@example.com", "password": "longenough"}'),
        ("/api/auth/login", b'{"email": "a@example.com", "password": NaN}'),
        ("/api/auth/login", b"[]"),
        ("/api/auth/login", b""),
    ],
)
async def test_a_malformed_login_is_a_422_even_without_a_session(new_client, path, body):
    response = await new_client().post(path, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/groups", DEEP, None),
        ("/api/groups", b'{"title": "\xc3\x28", "description": "d"}', None),
        ("/api/groups", b'{"title": "t\\ud800", "description": "d"}', "title"),
        ("/api/groups", b'{"title": "t", "description": "nul \\u0000"}', "description"),
        ("/api/groups", b'{"title": Infinity, "description": "d"}', None),
    ],
)
async def test_malformed_json_bodies_are_422s(alice, path, body, field):
    response = await alice.client.post(path, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    if field:
        assert field in error["fields"]


async def test_json_sent_as_something_else_is_refused(alice):
    response = await alice.client.post(
        "/api/groups",
        content=b'{"title": "t", "description": "d"}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media"
    assert (await alice.client.get("/api/groups")).json()["items"] == []


async def test_an_id_too_large_for_the_database_is_a_422(alice):
    group = (await alice.client.post("/api/groups", json={"title": "t", "description": "d"})).json()
    response = await alice.client.post(
        f"/api/groups/{group['group']['id']}/invitations",
        content=b'{"user_id": 1000000000000000000000000000000}',
        headers=JSON,
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"user_id": "a user id"}


@pytest.mark.parametrize("path", ["/api/users", "/api/groups"])
async def test_a_search_with_nul_is_a_422(alice, path):
    response = await alice.client.get(path, params={"q": "a\x00b"})
    assert response.status_code == 422
    assert "q" in response.json()["error"]["fields"]


async def test_form_bytes_that_are_not_utf8_arrive_as_replacement_characters(new_client):
    """A multipart field of bytes that are not UTF-8 (an encoded surrogate): the form parser
    replaces what it cannot decode, so what is stored is valid text, never a lone surrogate."""
    boundary = "b0undary"
    fields = {
        "email": b"sam@example.com",
        "password": b"long enough",
        "first_name": b"Sam\xed\xa0\x80",  # the UTF-8-style bytes of a lone surrogate
        "last_name": b"Example",
        "date_of_birth": b"1990-01-01",
    }
    body = (
        b"".join(
            b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (boundary.encode(), name.encode(), value)
            for name, value in fields.items()
        )
        + b"--%s--\r\n" % boundary.encode()
    )
    client = new_client()
    response = await client.post(
        "/api/auth/register",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["first_name"] == "Sam\ufffd\ufffd\ufffd"
