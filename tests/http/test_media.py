"""Uploads at registration and GET /media/{id} with its authorization check."""

from __future__ import annotations

import io
import socket
import tracemalloc

import pytest
import trio
from PIL import Image

from tests import images
from tests.conftest import register


async def register_with_avatar(client, data: bytes, name: str = "photo.jpg", **fields):
    return await register(
        client,
        email=fields.pop("email", "pic@example.com"),
        first_name="Pic",
        files={"avatar": (name, data, "image/jpeg")},
        **fields,
    )


async def test_avatar_is_stored_clean_and_served_to_logged_in_users(new_client, bob):
    client = new_client()
    response = await register_with_avatar(client, images.jpeg(gps=True))
    assert response.status_code == 201
    url = response.json()["user"]["avatar_url"]
    assert url and url.startswith("/media/")

    for viewer in (client, bob.client):
        served = await viewer.get(url)
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "private" in served.headers["cache-control"]
        picture = Image.open(io.BytesIO(served.content))
        assert picture.format == "JPEG" and len(picture.getexif()) == 0

    anonymous = await new_client().get(url)
    assert anonymous.status_code == 401


async def test_animated_gif_avatar_is_served_animated(new_client):
    client = new_client()
    response = await register_with_avatar(client, images.gif(frames=4), name="wave.gif")
    served = await client.get(response.json()["user"]["avatar_url"])
    assert served.headers["content-type"] == "image/gif"
    assert Image.open(io.BytesIO(served.content)).n_frames == 4


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"hello, I am text\n" * 20, "fake.png", 415, "unsupported_media"),
        (images.jpeg(size=(300, 200))[:400], "cut.jpg", 422, "validation_error"),
        (images.bomb_png(), "bomb.png", 413, "payload_too_large"),
        (
            b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * 1024 * 1024 + 10),
            "big.png",
            413,
            "payload_too_large",
        ),
    ],
    ids=["text-named-png", "truncated-jpeg", "bomb", "over-10-mib"],
)
async def test_bad_avatars_are_refused_and_no_account_is_made(new_client, data, name, status, code):
    client = new_client()
    response = await register_with_avatar(client, data, name=name)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert (await client.get("/api/auth/me")).status_code == 401
    # Nothing half-made: the same email can register cleanly afterwards.
    retry = await register(client, email="pic@example.com", first_name="Pic")
    assert retry.status_code == 201


async def test_an_11_mib_upload_is_refused_and_the_connection_stays_usable(new_client):
    client = new_client()
    huge = b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024)
    response = await register_with_avatar(client, huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert (await client.get("/api/health")).status_code == 200


async def test_a_body_over_the_request_limit_is_refused_before_it_is_read(new_client):
    client = new_client()
    huge = b"\0" * (20 * 1024 * 1024)
    response = await register_with_avatar(client, huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["connection"] == "close"
    assert (await client.get("/api/health")).status_code == 200


async def test_unknown_and_absurd_media_ids_are_404(alice):
    for path in ("/media/999999", "/media/99999999999999999999999", "/media/abc"):
        response = await alice.client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


async def test_clients_that_read_nothing_hold_a_chunk_of_an_image_not_all_of_it(server, alice):
    """An image is sent a chunk at a time. Ten fetches of an 8.7 MB image whose clients read
    the headers and nothing more (a receive window of 4 KiB) hold a few chunks of the server's
    memory, not ten copies of the image: one account with a few hundred such connections held
    gigabytes."""
    data = images.noise_png()
    made = await alice.client.post(
        "/api/posts", data={"body": "noise"}, files={"image": ("noise.png", data, "image/png")}
    )
    assert made.status_code == 201, made.text
    url = made.json()["post"]["image_url"]
    served = await alice.client.get(url)
    size = len(served.content)
    assert int(served.headers["content-length"]) == size > 8_000_000
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    cookie = alice.client.cookies["sid"]
    request = f"GET {url} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: sid={cookie}\r\n\r\n"
    streams = []
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            sock = trio.socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            await sock.connect((host, int(port)))
            stream = trio.SocketStream(sock)
            streams.append(stream)
            await stream.send_all(request.encode())
            head = b""
            with trio.fail_after(10):
                while b"\r\n\r\n" not in head:
                    head += await stream.receive_some(1)
            assert head.startswith(b"HTTP/1.1 200"), head
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        for stream in streams:
            await stream.aclose()
    assert held < 2 * size, f"{held / 1e6:.0f} MB held for 10 stuck fetches of {size / 1e6:.1f} MB"
