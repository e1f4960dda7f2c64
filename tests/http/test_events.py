"""Group events: members create and answer; non-members see nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.http.test_groups import create_group, make_member


def future(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@pytest.fixture
async def crag(alice, bob, carol):
    group = await create_group(alice)
    await make_member(alice, group, bob)
    return group


async def answer(persona, event, response):
    return await persona.client.put(
        f"/api/events/{event['id']}/response", json={"response": response}
    )


async def create_event(persona, group, **overrides):
    body = {"title": "Saturday at the crag", "description": "Bring a rope", "starts_at": future()}
    body.update(overrides)
    return await persona.client.post(f"/api/groups/{group['id']}/events", json=body)


async def test_member_creates_and_others_answer(crag, alice, bob):
    created = await create_event(bob, crag)
    assert created.status_code == 201
    event = created.json()["event"]
    assert event["title"] == "Saturday at the crag" and event["creator"]["id"] == bob.id
    assert (event["going_count"], event["not_going_count"], event["my_response"]) == (0, 0, None)

    going = await alice.client.put(
        f"/api/events/{event['id']}/response", json={"response": "going"}
    )
    assert going.json()["event"]["going_count"] == 1
    assert going.json()["event"]["my_response"] == "going"
    changed = (await answer(alice, event, "not_going")).json()["event"]
    assert (changed["going_count"], changed["not_going_count"]) == (0, 1)
    await answer(bob, event, "going")
    answers = (await alice.client.get(f"/api/events/{event['id']}/responses")).json()["items"]
    assert {(a["user"]["id"], a["response"]) for a in answers} == {
        (alice.id, "not_going"),
        (bob.id, "going"),
    }
    listed = (await alice.client.get(f"/api/groups/{crag['id']}/events")).json()["items"]
    assert [e["id"] for e in listed] == [event["id"]]


async def test_every_other_member_is_notified(crag, alice, bob, carol):
    event = (await create_event(bob, crag)).json()["event"]
    alice_notes = (await alice.client.get("/api/notifications")).json()["items"]
    note = next(n for n in alice_notes if n["kind"] == "group_event")
    assert note["actor"]["id"] == bob.id
    assert note["subject"]["event_id"] == event["id"]
    assert note["subject"]["event_title"] == "Saturday at the crag"
    assert note["subject"]["group_id"] == crag["id"] and note["subject"]["starts_at"]
    bob_kinds = [n["kind"] for n in (await bob.client.get("/api/notifications")).json()["items"]]
    assert "group_event" not in bob_kinds
    carol_kinds = [
        n["kind"] for n in (await carol.client.get("/api/notifications")).json()["items"]
    ]
    assert "group_event" not in carol_kinds


async def test_non_members_cannot_create_see_or_answer(crag, bob, carol):
    refused = await create_event(carol, crag)
    assert refused.status_code == 403
    event = (await create_event(bob, crag)).json()["event"]
    assert (await carol.client.get(f"/api/events/{event['id']}")).status_code == 404
    assert (await answer(carol, event, "going")).status_code == 404
    assert (await carol.client.get(f"/api/events/{event['id']}/responses")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": "2001-01-01T10:00:00Z"}, "starts_at"),
        ({"starts_at": "next friday"}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        ({"title": ""}, "title"),
        ({"description": "   "}, "description"),
    ],
)
async def test_event_validation(crag, bob, overrides, field):
    response = await create_event(bob, crag, **overrides)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


async def test_bad_answers(crag, bob):
    event = (await create_event(bob, crag)).json()["event"]
    for bad in ("maybe", None, 1):
        assert (await answer(bob, event, bad)).status_code == 422
