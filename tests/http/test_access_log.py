"""The access log: one line per request and per WebSocket upgrade, a request id on every
response and on every line the request causes, honoured from a trusted proxy only."""

from __future__ import annotations

import ipaddress
import logging

import pytest
import trio
from trio_websocket import HandshakeError, open_websocket_url

from server.http.access import ACCEPTED_ID
from server.logs import RequestContext, RequestContextFilter, current_request
from tests.conftest import start_server
from tests.realtime.wsclient import open_socket


@pytest.fixture
def access_lines(caplog):
    caplog.set_level(logging.INFO, logger="socialnet.access")
    return caplog


def lines_for(caplog, request_id: str) -> list[dict]:
    """The access lines of `request_id` logged so far in the test."""
    return [
        r.fields
        for r in caplog.records
        if r.name == "socialnet.access" and r.fields.get("request_id") == request_id
    ]


async def test_every_request_gets_an_id_and_one_line_with_its_facts(
    server, new_client, alice, access_lines
):
    anonymous = new_client()
    cases = [
        (anonymous, "GET", "/api/health", 200, None),
        (alice.client, "GET", "/api/no-such-route", 404, alice.id),
        (anonymous, "GET", "/api/feed", 401, None),
        (alice.client, "GET", "/api/feed", 200, alice.id),
        (alice.client, "POST", "/api/posts", 422, alice.id),
    ]
    seen_ids = set()
    for client, method, path, status, user_id in cases:
        response = await client.request(method, path)
        assert response.status_code == status
        request_id = response.headers["x-request-id"]
        assert ACCEPTED_ID.fullmatch(request_id) and request_id not in seen_ids
        seen_ids.add(request_id)
        (line,) = lines_for(access_lines, request_id)
        assert (line["method"], line["path"], line["status"]) == (method, path, status)
        assert line["bytes"] == len(response.content) and line["ms"] >= 0
        assert line.get("user_id") == user_id


async def test_a_websocket_upgrade_is_logged_as_101_or_as_its_refusal(server, alice, access_lines):
    async with open_socket(server, alice) as socket:
        request_id = dict(socket.handshake_headers)[b"x-request-id"].decode()
    (line,) = lines_for(access_lines, request_id)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/ws", 101)
    assert line["user_id"] == alice.id

    with pytest.raises(HandshakeError) as refused:
        async with open_websocket_url(server.ws_url):
            pass
    response = refused.value
    request_id = dict(response.headers)[b"x-request-id"].decode()
    (line,) = lines_for(access_lines, request_id)
    assert line["path"] == "/ws" and line["status"] == response.status_code == 401
    assert line["bytes"] == len(response.body) and "user_id" not in line


async def test_a_request_id_is_taken_from_a_trusted_proxy_only(
    server, database_url, tmp_path, nursery, new_client, access_lines
):
    import httpx

    offered = {"X-Request-Id": "nginx-4f1c2d3e"}
    async with httpx.AsyncClient(base_url=server.url) as direct:  # 127.0.0.1, not trusted
        response = await direct.get("/api/health", headers=offered)
    assert response.headers["x-request-id"] != "nginx-4f1c2d3e"

    trusted = (ipaddress.ip_network("127.0.0.0/8"),)
    async for proxied in start_server(
        database_url, tmp_path / "behind", nursery, trusted_proxies=trusted
    ):
        async with httpx.AsyncClient(base_url=proxied.url) as via_proxy:
            response = await via_proxy.get("/api/health", headers=offered)
            assert response.headers["x-request-id"] == "nginx-4f1c2d3e"
            assert lines_for(access_lines, "nginx-4f1c2d3e")[0]["status"] == 200
            # Anything else a proxy passes is replaced, never written raw into a log line.
            response = await via_proxy.get("/api/health", headers={"X-Request-Id": "a b\x7f"})
            assert ACCEPTED_ID.fullmatch(response.headers["x-request-id"])


async def test_every_line_a_request_causes_carries_its_id_even_from_the_tasks_it_starts():
    """The context variable travels to child tasks (a WebSocket's actor is one), and the filter
    adds the id and the user to each of their lines without touching the caller's fields."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("tests.access.child")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    shared_fields = {"op": "x"}

    async def child() -> None:
        logger.info("child", extra={"fields": shared_fields})

    try:
        context = RequestContext("abc-1")
        token = current_request.set(context)
        try:
            async with trio.open_nursery() as nursery:
                context.user_id = 7  # learnt after the child started: it still sees it
                nursery.start_soon(child)
        finally:
            current_request.reset(token)
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    child, outside = records
    assert child.fields == {"request_id": "abc-1", "user_id": 7, "op": "x"}
    assert shared_fields == {"op": "x"}
    assert not hasattr(outside, "fields")
