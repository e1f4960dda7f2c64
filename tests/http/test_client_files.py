"""The server serves the built client (one origin), with the SPA fallback to index.html."""

from __future__ import annotations

import dataclasses
from functools import partial

import httpx
import pytest
import trio

from server.service import serve

INDEX = b"<!doctype html><title>socialnet</title>"


@pytest.fixture
async def client_server(server, tmp_path, nursery):
    built = tmp_path / "client-build"
    (built / "_app" / "immutable").mkdir(parents=True)
    (built / "index.html").write_bytes(INDEX)
    (built / "favicon.png").write_bytes(b"\x89PNG fake")
    (built / "_app" / "immutable" / "start.abc123.js").write_bytes(b"export {}")
    config = dataclasses.replace(server.config, client_dir=built)
    shutdown = trio.Event()
    urls = await nursery.start(partial(serve, config, shutdown=shutdown))
    async with httpx.AsyncClient(base_url=urls[0]) as client:
        yield client
    shutdown.set()


async def test_index_and_in_app_routes_get_the_app(client_server):
    for path in ("/", "/login", "/register", "/profile/12"):
        response = await client_server.get(path)
        assert response.status_code == 200, path
        assert response.content == INDEX
        assert response.headers["cache-control"] == "no-cache"


async def test_static_files_and_immutable_assets(client_server):
    asset = await client_server.get("/_app/immutable/start.abc123.js")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert (await client_server.get("/favicon.png")).content == b"\x89PNG fake"


async def test_api_paths_are_never_the_app(client_server):
    response = await client_server.get("/api/nothing-here")
    assert response.status_code == 401  # the API answers, not index.html
    traversal = await client_server.get("/..%2f..%2fetc/passwd")
    assert traversal.content == INDEX or traversal.status_code == 404


@pytest.mark.parametrize("method", ["DELETE", "POST", "PUT", "PATCH"])
@pytest.mark.parametrize("path", ["/api/posts/abc", "/api/auth/sessions/abc", "/api/nothing"])
async def test_an_unknown_api_path_is_a_404_whatever_the_method(client_server, alice, method, path):
    signed_in = {
        "Cookie": f"sid={alice.client.cookies['sid']}",
        "Origin": str(client_server.base_url).rstrip("/"),
    }
    response = await client_server.request(method, path, headers=signed_in)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


async def test_the_apps_pages_take_get_alone(client_server):
    response = await client_server.post("/register")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_pages_and_the_api_cannot_be_framed(client_server):
    """Clickjacking: no page of ours renders inside another site's frame (the pages' own CSP
    <meta> cannot say frame-ancestors; the header does, for the API and media too)."""
    for path in ("/", "/login", "/api/health"):
        response = await client_server.get(path)
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'", path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
