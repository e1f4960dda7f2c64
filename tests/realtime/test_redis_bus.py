"""The Redis engine's faults, on real Redis servers that the test kills: when the subscriber's
connection drops, the process closes its sockets (1012) so their clients catch up, refuses new
ones (503) until it has subscribed again, and recovers by itself when Redis is back."""

from __future__ import annotations

import pytest
import trio
from trio_websocket import ConnectionClosed

from server.realtime import protocol
from server.realtime.redis_bus import decode, encode
from tests.conftest import start_server
from tests.realtime.test_chat_socket import chat_send
from tests.realtime.test_router import stored
from tests.realtime.wsclient import FRAME_DEADLINE, next_frame, open_socket, ping
from tests.redis import run_redis, run_redis_cluster


@pytest.fixture
def bus_url() -> str:
    """These tests start their own servers on Redis servers of their own; the personas'
    server (where they register) needs no other engine than the default."""
    return "postgres"


UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


def test_a_batch_travels_as_one_array_per_channel_in_order():
    batch = [stored(1, sender=7, to=8), stored(2, sender=8, to=7), stored(3, group=3)]
    payloads = encode(batch)
    assert set(payloads) == {"u:7", "u:8", "g:3"}
    assert [e.id for e in decode(payloads["u:7"])] == [1, 2]
    assert [e.id for e in decode(payloads["g:3"])] == [3]


async def closed_code(socket) -> int:
    with trio.fail_after(FRAME_DEADLINE):
        try:
            while True:
                await socket.get_message()
        except ConnectionClosed as closed:
            return closed.reason.code


async def test_a_lost_redis_closes_the_sockets_and_the_server_recovers_by_itself(
    database_url, tmp_path, nursery, alice, new_persona
):
    with run_redis(tmp_path / "redis") as redis:
        async for server in start_server(database_url, tmp_path / "a", nursery, bus=redis.url):
            async with open_socket(server, alice) as socket:
                await ping(socket)
                redis.kill()
                assert await closed_code(socket) == protocol.CLOSE_SERVICE_RESTART
            refused = await alice.client.get(server.url + "/ws", headers=UPGRADE)
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "unavailable"

            with run_redis(tmp_path / "redis", port=redis.port):
                with trio.fail_after(30):
                    await server.router.wait_bus_ready()
                async with open_socket(server, alice) as socket:
                    await ping(socket)
            break


async def test_a_lost_cluster_node_closes_the_sockets_of_every_process_it_served(
    database_url, tmp_path, nursery, alice, bob
):
    """Each process holds a connection to every shard: losing one loses channels of users
    everywhere, so both processes tell their clients to catch up."""
    await bob.client.post(f"/api/users/{alice.id}/follow")
    with run_redis_cluster(tmp_path / "cluster") as cluster:
        servers = []
        for name in ("a", "b"):
            async for server in start_server(
                database_url, tmp_path / name, nursery, bus=cluster.url
            ):
                servers.append(server)
                break
        first, second = servers
        async with open_socket(first, alice) as on_a, open_socket(second, bob) as on_b:
            await chat_send(on_a, {"user": bob.id}, "before")
            await next_frame(on_a, type="chat.ack")
            assert (await next_frame(on_b, type="chat.message"))["message"]["body"] == "before"
            cluster.nodes[0].kill()
            assert await closed_code(on_a) == protocol.CLOSE_SERVICE_RESTART
            assert await closed_code(on_b) == protocol.CLOSE_SERVICE_RESTART
