"""Chat budgets per user across all their sockets, and the cap on one user's sockets, on a real
server (issue 13: one session opened 60 sockets and stored thousands of messages in 3 s)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
import trio
from trio_websocket import ConnectionRejected

from server.ratelimit import CHAT_SENDS
from server.realtime.endpoint import MAX_SOCKETS_PER_USER
from tests.conftest import Persona, RunningServer, register, start_server
from tests.realtime.wsclient import FRAME_DEADLINE, next_frame, open_socket, ping

SOCKETS = 10
SENDS_PER_SOCKET = 20  # within the per-socket frame budget: only the per-user one can refuse


@pytest.fixture
async def limited(database_url, tmp_path, nursery) -> AsyncIterator[RunningServer]:
    async for running in start_server(database_url, tmp_path, nursery, rate_limits=True):
        yield running


async def _persona(server: RunningServer, name: str, stack: AsyncExitStack) -> Persona:
    client = await stack.enter_async_context(httpx.AsyncClient(base_url=server.url, timeout=30))
    response = await register(client, email=f"{name}@example.com", first_name=name.title())
    assert response.status_code == 201, response.text
    return Persona(client=client, user=response.json()["user"])


async def _flood(socket, to: dict, replies: list[dict]) -> None:
    """Send SENDS_PER_SOCKET messages at once, then collect a reply to each."""
    for n in range(SENDS_PER_SOCKET):
        frame = {
            "type": "chat.send",
            "to": to,
            "body": f"flood {n}",
            "client_msg_id": str(uuid.uuid4()),
        }
        await socket.send_message(json.dumps(frame))
    with trio.fail_after(FRAME_DEADLINE * 2):
        while len([r for r in replies if r["socket"] is socket]) < SENDS_PER_SOCKET:
            frame = json.loads(await socket.get_message())
            if frame["type"] in ("chat.ack", "chat.error"):
                replies.append({**frame, "socket": socket})


async def test_a_flood_from_many_sockets_stores_no_more_than_the_users_budget(limited):
    async with AsyncExitStack() as stack:
        alice = await _persona(limited, "alice", stack)
        bob = await _persona(limited, "bob", stack)
        assert (await bob.client.post(f"/api/users/{alice.id}/follow")).status_code == 200
        sockets = [
            await stack.enter_async_context(open_socket(limited, alice)) for _ in range(SOCKETS)
        ]
        replies: list[dict] = []
        async with trio.open_nursery() as nursery:
            for socket in sockets:
                nursery.start_soon(_flood, socket, {"user": bob.id}, replies)

        acks = [r for r in replies if r["type"] == "chat.ack"]
        errors = [r for r in replies if r["type"] == "chat.error"]
        assert len(acks) == CHAT_SENDS.limit
        assert len(errors) == SOCKETS * SENDS_PER_SOCKET - CHAT_SENDS.limit
        # Each refusal names its message, so the client marks that one.
        assert {e["code"] for e in errors} == {"rate_limited"}
        assert all(e["client_msg_id"] for e in errors)
        history = await bob.client.get(f"/api/chats/direct/{alice.id}/messages?limit=100")
        assert len(history.json()["items"]) == CHAT_SENDS.limit

        # The HTTP fallback spends the same budget.
        refused = await alice.client.post(
            f"/api/chats/direct/{bob.id}/messages", json={"body": "over HTTP"}
        )
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 0 < int(refused.headers["Retry-After"]) <= CHAT_SENDS.seconds
        # Other people chat on.
        answer = await bob.client.post(
            f"/api/chats/direct/{alice.id}/messages", json={"body": "still here"}
        )
        assert answer.status_code == 201

        limited.clock.advance(CHAT_SENDS.seconds)
        frame = {
            "type": "chat.send",
            "to": {"user": bob.id},
            "body": "later",
            "client_msg_id": "x1",
        }
        await sockets[0].send_message(json.dumps(frame))
        assert (await next_frame(sockets[0], type="chat.ack"))["client_msg_id"] == "x1"


async def test_the_socket_cap_refuses_the_extra_socket(server, alice, bob):
    async with AsyncExitStack() as stack:
        for _ in range(MAX_SOCKETS_PER_USER):
            await stack.enter_async_context(open_socket(server, alice))
        with pytest.raises(ConnectionRejected) as rejected:
            async with open_socket(server, alice):
                pass
        assert rejected.value.status_code == 429
        assert json.loads(rejected.value.body)["error"]["code"] == "rate_limited"
        headers = dict(rejected.value.headers)
        assert int(headers[b"retry-after"]) > 0
        # The cap is per user: Bob connects.
        async with open_socket(server, bob) as bobs:
            await ping(bobs)
    with trio.fail_after(FRAME_DEADLINE):
        await server.router.wait_no_sockets()
    # Once her sockets are closed, Alice connects again.
    async with open_socket(server, alice) as again:
        await ping(again)
