"""Notifications pushed live over the socket: to every tab of the recipient, to nobody else,
and across two server processes on one database."""

from __future__ import annotations

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed

from tests.conftest import PASSWORD
from tests.http.test_events import answer, create_event
from tests.http.test_groups import create_group, make_member
from tests.realtime.wsclient import (
    FRAME_DEADLINE,
    assert_no_frame,
    next_frame,
    next_notification,
    open_socket,
)


async def test_a_follow_request_reaches_every_tab_of_its_recipient_only(server, alice, bob, carol):
    async with (
        open_socket(server, carol) as carol_tab1,
        open_socket(server, carol) as carol_tab2,
        open_socket(server, bob) as bob_tab,
        open_socket(server, alice) as alice_tab,
    ):
        await bob.client.post(f"/api/users/{carol.id}/follow")
        for tab in (carol_tab1, carol_tab2):
            frame = await next_frame(tab, type="notification")
            assert frame["unread_count"] == 1
            note = frame["notification"]
            assert note["kind"] == "follow_request" and note["state"] == "pending"
            assert note["actor"]["id"] == bob.id
        await assert_no_frame(bob_tab, type="notification")
        await assert_no_frame(alice_tab, type="notification")


async def test_accepting_from_the_notification_tells_both_sides(server, bob, carol):
    async with open_socket(server, carol) as carol_tab, open_socket(server, bob) as bob_tab:
        await bob.client.post(f"/api/users/{carol.id}/follow")
        request_note = (await next_frame(carol_tab, type="notification"))["notification"]
        request_id = request_note["subject"]["request_id"]
        await carol.client.post(f"/api/follow-requests/{request_id}/accept")

        accepted = await next_frame(bob_tab, type="notification")
        assert accepted["notification"]["kind"] == "follow_accepted"
        assert accepted["notification"]["actor"]["id"] == carol.id
        # Carol's own tabs learn that the request is answered (same notification, new state).
        updated = await next_frame(carol_tab, type="notification")
        assert updated["notification"]["id"] == request_note["id"]
        assert updated["notification"]["state"] == "accepted"
        assert updated["unread_count"] == 0


async def test_a_new_follower_of_a_public_profile_is_pushed(server, alice, bob):
    async with open_socket(server, alice) as alice_tab:
        await bob.client.post(f"/api/users/{alice.id}/follow")
        frame = await next_frame(alice_tab, type="notification")
        assert frame["notification"]["kind"] == "new_follower"


async def test_a_request_made_on_one_process_reaches_a_socket_on_another(
    server, second_server, bob, carol
):
    async with open_socket(second_server, carol) as carol_on_b:
        response = await bob.client.post(f"/api/users/{carol.id}/follow")  # through server A
        assert response.json() == {"follow_state": "requested"}
        frame = await next_frame(carol_on_b, type="notification")
        assert frame["notification"]["kind"] == "follow_request"


async def test_logout_on_one_process_closes_the_session_on_another(server, second_server, alice):
    async with httpx.AsyncClient(base_url=second_server.url) as on_b:
        on_b.cookies.set("sid", alice.client.cookies["sid"])
        assert (await on_b.get("/api/auth/me")).status_code == 200  # B now trusts the session
        async with open_socket(second_server, alice) as alice_on_b:
            await alice.client.post("/api/auth/logout")  # through server A
            with pytest.raises(ConnectionClosed), trio.fail_after(FRAME_DEADLINE):
                await alice_on_b.get_message()
        # B closed the socket on the bus's word; the same word made it forget the session.
        assert (await on_b.get("/api/auth/me")).status_code == 401


async def test_sessions_work_on_either_process(second_server, alice):
    async with httpx.AsyncClient(base_url=second_server.url) as other:
        other.cookies.set("sid", alice.client.cookies["sid"])
        assert (await other.get("/api/auth/me")).json()["user"]["id"] == alice.id
        login = await other.post(
            "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200


async def test_a_comment_tells_the_post_author_at_once(server, alice, bob):
    created = await alice.client.post(
        "/api/posts", data={"body": "new wall"}, files={"image": ("", b"")}
    )
    post_id = created.json()["post"]["id"]
    async with open_socket(server, alice) as alice_tab, open_socket(server, bob) as bob_tab:
        await bob.client.post(
            f"/api/posts/{post_id}/comments", data={"body": "🔥"}, files={"image": ("", b"")}
        )
        frame = await next_frame(alice_tab, type="notification")
        assert frame["notification"]["kind"] == "post_comment"
        assert frame["notification"]["subject"]["post_id"] == post_id
        await assert_no_frame(bob_tab, type="notification")


async def test_group_invitations_requests_and_events_reach_exactly_the_right_people(
    server, alice, bob, carol, new_persona
):
    dan = await new_persona("Dan")
    created = await alice.client.post("/api/groups", json={"title": "Climbing", "description": "x"})
    group_id = created.json()["group"]["id"]
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, bob) as bob_tab,
        open_socket(server, carol) as carol_tab,
        open_socket(server, dan) as dan_tab,
    ):
        await alice.client.post(f"/api/groups/{group_id}/invitations", json={"user_id": bob.id})
        invitation = (await next_frame(bob_tab, type="notification"))["notification"]
        assert invitation["kind"] == "group_invitation" and invitation["state"] == "pending"
        await bob.client.post(
            f"/api/group-invitations/{invitation['subject']['invitation_id']}/accept"
        )
        accepted = (await next_frame(alice_tab, type="notification"))["notification"]
        assert accepted["kind"] == "group_invitation_accepted"

        await dan.client.post(f"/api/groups/{group_id}/join-requests")
        asked = (await next_frame(alice_tab, type="notification"))["notification"]
        assert asked["kind"] == "group_join_request"
        await alice.client.post(f"/api/group-join-requests/{asked['subject']['request_id']}/accept")
        welcome = (await next_frame(dan_tab, type="notification"))["notification"]
        assert welcome["kind"] == "group_join_accepted"

        await bob.client.post(
            f"/api/groups/{group_id}/events",
            json={"title": "Crag", "description": "x", "starts_at": "2099-05-01T09:00:00Z"},
        )
        for member_tab in (alice_tab, dan_tab):
            event = await next_notification(member_tab, "group_event")
            assert event["subject"]["event_title"] == "Crag"
        await assert_no_frame(carol_tab, type="notification")  # not a member
        await assert_no_frame(bob_tab, type="notification", kind="group_event")  # its creator


async def test_an_answer_to_an_event_reaches_the_groups_members_only(server, alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    event = (await create_event(alice, group)).json()["event"]
    async with (
        open_socket(server, alice) as alice_tab,
        open_socket(server, bob) as bob_tab,
        open_socket(server, carol) as outsider_tab,
    ):
        await answer(bob, event, "going")
        expected = {
            "type": "event.response",
            "event": {
                "id": event["id"],
                "group_id": group["id"],
                "going_count": 1,
                "not_going_count": 0,
            },
            "user_id": bob.id,
            "response": "going",
        }
        for tab in (alice_tab, bob_tab):
            assert await next_frame(tab, type="event.response") == expected
        await assert_no_frame(outsider_tab, type="event.response")
