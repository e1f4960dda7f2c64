"""Chat over the socket: persisted before ack, every tab of the recipient, nobody else, group
rooms, two processes, catch-up after a reconnect, idempotent resends, typing and presence."""

from __future__ import annotations

import json
import uuid

import trio

from server.realtime import chat as realtime_chat
from tests.http.test_groups import create_group, make_member
from tests.realtime.wsclient import (
    FRAME_DEADLINE,
    assert_no_frame,
    next_frame,
    open_socket,
    ping,
)

EMOJI = "😀🧗‍♀️"


async def chat_send(socket, to: dict, body: str, client_msg_id: str | None = None) -> str:
    client_msg_id = client_msg_id or str(uuid.uuid4())
    await socket.send_message(
        json.dumps({"type": "chat.send", "to": to, "body": body, "client_msg_id": client_msg_id})
    )
    return client_msg_id


async def test_a_message_is_stored_acked_and_delivered_to_every_tab(server, alice, bob, carol):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with (
        open_socket(server, alice) as alice_tab1,
        open_socket(server, alice) as alice_tab2,
        open_socket(server, bob) as bob_tab1,
        open_socket(server, bob) as bob_tab2,
        open_socket(server, carol) as carol_tab,
    ):
        client_msg_id = await chat_send(alice_tab1, {"user": bob.id}, f"hello {EMOJI}")
        ack = await next_frame(alice_tab1, type="chat.ack")
        assert ack["client_msg_id"] == client_msg_id
        message = ack["message"]
        assert message["body"] == f"hello {EMOJI}"
        assert message["conversation"] == {"kind": "direct", "id": bob.id}
        # Persisted before the ack: the history already has it.
        history = (await bob.client.get(f"/api/chats/direct/{alice.id}/messages")).json()
        assert [m["id"] for m in history["items"]] == [message["id"]]

        for tab in (bob_tab1, bob_tab2):
            received = (await next_frame(tab, type="chat.message"))["message"]
            assert received["id"] == message["id"]
            assert received["conversation"] == {"kind": "direct", "id": alice.id}
        mirrored = (await next_frame(alice_tab2, type="chat.message"))["message"]
        assert mirrored["conversation"] == {"kind": "direct", "id": bob.id}
        await assert_no_frame(alice_tab1, type="chat.message")  # the sender's tab got the ack
        await assert_no_frame(carol_tab, type="chat.message")


async def test_strangers_get_chat_error_and_nothing_is_stored(server, alice, bob):
    async with open_socket(server, alice) as alice_tab, open_socket(server, bob) as bob_tab:
        client_msg_id = await chat_send(alice_tab, {"user": bob.id}, "hi")
        error = await next_frame(alice_tab, type="chat.error")
        assert error == {
            "type": "chat.error",
            "client_msg_id": client_msg_id,
            "code": "chat_not_allowed",
        }
        await chat_send(alice_tab, {"user": 999999}, "hi")
        assert (await next_frame(alice_tab, type="chat.error"))["code"] == "not_found"
        await chat_send(alice_tab, {"user": bob.id}, "🧗" * 2001)
        assert (await next_frame(alice_tab, type="chat.error"))["code"] == "validation_error"
        await assert_no_frame(bob_tab, type="chat.message")
    assert (await alice.client.get("/api/chats")).json()["items"] == []


async def test_a_resend_with_the_same_client_msg_id_is_harmless(server, alice, bob):
    await alice.client.post(f"/api/users/{bob.id}/follow")
    async with open_socket(server, alice) as alice_tab, open_socket(server, bob) as bob_tab:
        await chat_send(alice_tab, {"user": bob.id}, "once", "same-id")
        first = await next_frame(alice_tab, type="chat.ack")
        await next_frame(bob_tab, type="chat.message")
        await chat_send(alice_tab, {"user": bob.id}, "once", "same-id")
        second = await next_frame(alice_tab, type="chat.ack")
        assert second["message"] == first["message"]
        await assert_no_frame(bob_tab, type="chat.message")
    history = (await bob.client.get(f"/api/chats/direct/{alice.id}/messages")).json()["items"]
    assert len(history) == 1


async def test_longest_emoji_message_crosses_the_bus(server, alice, bob):
    """2,000 four-byte characters are larger than one Postgres NOTIFY can carry."""
    await alice.client.post(f"/api/users/{bob.id}/follow")
    body = "🧗" * 2000
    async with open_socket(server, alice) as alice_tab, open_socket(server, bob) as bob_tab:
        await chat_send(alice_tab, {"user": bob.id}, body)
        assert (await next_frame(alice_tab, type="chat.ack"))["message"]["body"] == body
        assert (await next_frame(bob_tab, type="chat.message"))["message"]["body"] == body


async def test_group_room_reaches_every_member_and_refuses_outsiders(
    server, alice, bob, carol, new_persona
):
    dan = await new_persona("Dan")
    group = await create_group(alice)
    await make_member(alice, group, bob)
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, bob) as bob_tab,
        open_socket(server, carol) as carol_tab,
        open_socket(server, dan) as dan_tab,
    ):
        # Dan joins while connected: the router learns it from the membership event.
        await make_member(alice, group, dan)
        await chat_send(bob_tab, {"group": group["id"]}, "crag at 9?")
        ack = await next_frame(bob_tab, type="chat.ack")
        for tab in (alice_tab, dan_tab):
            message = (await next_frame(tab, type="chat.message"))["message"]
            assert message["id"] == ack["message"]["id"]
            assert message["conversation"] == {"kind": "group", "id": group["id"]}
        await assert_no_frame(carol_tab, type="chat.message")

        await chat_send(carol_tab, {"group": group["id"]}, "me too")
        assert (await next_frame(carol_tab, type="chat.error"))["code"] == "chat_not_allowed"
        # Leaving stops the room's messages at once.
        await dan.client.post(f"/api/groups/{group['id']}/leave")
        await chat_send(alice_tab, {"group": group["id"]}, "bye dan")
        await next_frame(bob_tab, type="chat.message")
        await assert_no_frame(dan_tab, type="chat.message")


async def test_messages_cross_between_two_processes(server, second_server, alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with open_socket(server, alice) as on_a, open_socket(second_server, bob) as on_b:
        await chat_send(on_a, {"user": bob.id}, "across")
        await next_frame(on_a, type="chat.ack")
        assert (await next_frame(on_b, type="chat.message"))["message"]["body"] == "across"


async def test_after_a_reconnect_the_history_has_what_was_missed(server, alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with open_socket(server, bob) as bob_tab:
        await ping(bob_tab)
    # Bob's laptop sleeps: Alice writes three messages meanwhile.
    async with open_socket(server, alice) as alice_tab:
        for n in range(3):
            await chat_send(alice_tab, {"user": bob.id}, f"while you slept {n}")
            await next_frame(alice_tab, type="chat.ack")
    async with open_socket(server, bob) as bob_tab:
        await ping(bob_tab)
        history = (await bob.client.get(f"/api/chats/direct/{alice.id}/messages")).json()
        assert [m["body"] for m in history["items"]] == [f"while you slept {n}" for n in (2, 1, 0)]
        unread = (await bob.client.get("/api/chats")).json()["items"][0]["unread_count"]
        assert unread == 3


async def test_reading_in_one_tab_reaches_my_other_tabs_only(server, alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, bob) as reading_tab,
        open_socket(server, bob) as other_tab,
    ):
        await chat_send(alice_tab, {"user": bob.id}, "read me")
        message = (await next_frame(alice_tab, type="chat.ack"))["message"]
        conversation = {"kind": "direct", "id": alice.id}
        read = {"type": "chat.read", "conversation": conversation, "up_to": message["id"]}
        await reading_tab.send_message(json.dumps(read))

        assert await next_frame(other_tab, type="chat.read") == read
        await assert_no_frame(reading_tab, type="chat.read")  # it knows what it read
        await assert_no_frame(alice_tab, type="chat.read")  # a read marker is private
        unread = (await bob.client.get("/api/chats")).json()["items"][0]["unread_count"]
        assert unread == 0

        # Read over HTTP (no socket to skip): every tab hears it.
        await bob.client.post(f"/api/chats/direct/{alice.id}/read", json={"up_to": message["id"]})
        for tab in (reading_tab, other_tab):
            assert await next_frame(tab, type="chat.read") == read


def typing_frame(persona) -> str:
    return json.dumps({"type": "chat.typing", "to": {"user": persona.id}})


async def test_typing_reaches_the_peer_once_per_interval(server, alice, bob, carol):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, bob) as bob_tab,
        open_socket(server, carol) as carol_tab,
    ):
        for _ in range(5):
            await alice_tab.send_message(
                json.dumps({"type": "chat.typing", "to": {"user": bob.id}})
            )
        typing = await next_frame(bob_tab, type="chat.typing")
        assert typing["conversation"] == {"kind": "direct", "id": alice.id}
        assert typing["user"]["id"] == alice.id
        await assert_no_frame(bob_tab, type="chat.typing")  # throttled: one for the burst
        # Typing at a stranger reaches nobody.
        await carol_tab.send_message(typing_frame(bob))
        await ping(carol_tab)
        await assert_no_frame(bob_tab, type="chat.typing")


async def test_typing_at_ever_more_people_keeps_a_sockets_memory_bounded(
    server, alice, bob, monkeypatch
):
    remembered = 8  # small, so that the socket's frame budget (a burst of 60) allows the test
    monkeypatch.setattr(realtime_chat, "TYPING_TARGETS_REMEMBERED", remembered)
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with open_socket(server, alice) as alice_tab, open_socket(server, bob) as bob_tab:
        for stranger in range(10**6, 10**6 + 5 * remembered):
            await alice_tab.send_message(
                json.dumps({"type": "chat.typing", "to": {"user": stranger}})
            )
        await ping(alice_tab)  # every typing frame before it handled
        (actor,) = server.router.connections_of(alice.id)
        assert len(actor.memo) <= 2 * remembered + 1
        # Forgetting costs nothing but a check: typing still reaches the one who may hear it.
        await alice_tab.send_message(typing_frame(bob))
        typing = await next_frame(bob_tab, type="chat.typing")
        assert typing["user"]["id"] == alice.id


async def test_presence_of_contacts(server, alice, bob, carol):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with open_socket(server, alice) as alice_tab:
        async with open_socket(server, bob) as bob_tab:
            online = await next_frame(alice_tab, type="presence")
            assert online == {"type": "presence", "user_id": bob.id, "online": True}
            # A socket that opens later learns who is online already.
            snapshot = await next_frame(bob_tab, type="presence")
            assert snapshot == {"type": "presence", "user_id": alice.id, "online": True}
            async with open_socket(server, carol) as carol_tab:  # not a contact of anyone
                await ping(carol_tab)
                await assert_no_frame(carol_tab, type="presence")
        with trio.fail_after(FRAME_DEADLINE):
            offline = await next_frame(alice_tab, type="presence")
        assert offline == {"type": "presence", "user_id": bob.id, "online": False}


async def test_a_body_no_encoder_accepts_is_refused_alone_and_others_chat_on(
    server, alice, bob, carol
):
    """One user sending lone surrogates at a steady rate must not cost anyone else a message."""
    await bob.client.post(f"/api/users/{alice.id}/follow")
    await carol.client.post(f"/api/users/{bob.id}/follow")
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, carol) as carol_tab,
        open_socket(server, bob) as bob_tab,
    ):
        sent = []
        for n in range(10):
            # json.dumps writes it as JSON's escape \ud800: the server decodes a lone surrogate.
            await chat_send(alice_tab, {"user": bob.id}, "p\ud800", f"bad-{n}")
            sent.append(await chat_send(carol_tab, {"user": bob.id}, f"fine {n}"))
        for n in range(10):
            error = await next_frame(alice_tab, type="chat.error")
            assert error == {
                "type": "chat.error",
                "client_msg_id": f"bad-{n}",
                "code": "validation_error",
            }
        acked = [(await next_frame(carol_tab, type="chat.ack"))["client_msg_id"] for _ in sent]
        assert acked == sent
        received = [(await next_frame(bob_tab, type="chat.message"))["message"] for _ in sent]
        assert [m["body"] for m in received] == [f"fine {n}" for n in range(10)]


async def test_a_process_that_lost_count_of_presence_learns_it_again_from_the_others(
    server, second_server, alice, bob
):
    """Bob's process loses its bus connection and forgets who is online; once it listens again
    it asks every process, and Alice's (the first server) answers with its snapshot."""
    await bob.client.post(f"/api/users/{alice.id}/follow")
    async with open_socket(server, alice):
        with trio.fail_after(FRAME_DEADLINE):
            while not second_server.router.is_online(alice.id):
                async with open_socket(second_server, bob) as bob_tab:
                    await ping(bob_tab)
        second_server.router.bus_lost()
        assert not second_server.router.is_online(alice.id)
        second_server.router.bus_connected()
        with trio.fail_after(FRAME_DEADLINE):
            while True:
                async with open_socket(second_server, bob) as bob_tab:
                    await ping(bob_tab)
                    if second_server.router.is_online(alice.id):
                        break
        async with open_socket(second_server, bob) as bob_tab:
            snapshot = await next_frame(bob_tab, type="presence")
            assert snapshot == {"type": "presence", "user_id": alice.id, "online": True}
