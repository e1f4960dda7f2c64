"""The follow state machine and its refusals (SPEC.md, Followers; API.md, Follows)."""

from __future__ import annotations


async def follow(persona, target) -> str:
    response = await persona.client.post(f"/api/users/{target.id}/follow")
    assert response.status_code == 200, response.text
    return response.json()["follow_state"]


async def profile(viewer, target) -> dict:
    return (await viewer.client.get(f"/api/users/{target.id}")).json()["user"]


async def notifications(persona) -> list[dict]:
    return (await persona.client.get("/api/notifications")).json()["items"]


async def incoming(persona) -> list[dict]:
    return (await persona.client.get("/api/follow-requests")).json()["items"]


async def test_following_a_public_profile_takes_effect_at_once(alice, bob):
    assert await follow(bob, alice) == "following"
    assert (await profile(bob, alice))["follow_state"] == "following"
    assert (await profile(alice, bob))["follows_you"] is True
    followers = (await alice.client.get(f"/api/users/{alice.id}/followers")).json()["items"]
    assert [user["id"] for user in followers] == [bob.id]
    (note,) = await notifications(alice)
    assert note["kind"] == "new_follower" and note["actor"]["id"] == bob.id
    assert note["subject"] == {"user_id": bob.id} and note["state"] is None


async def test_following_twice_answers_as_the_first_time(alice, bob):
    assert await follow(bob, alice) == "following"
    assert await follow(bob, alice) == "following"
    assert len(await notifications(alice)) == 1


async def test_a_private_profile_gets_a_request_that_can_be_accepted(bob, carol):
    assert await follow(bob, carol) == "requested"
    assert await follow(bob, carol) == "requested"  # idempotent: still one request
    (request,) = await incoming(carol)
    assert request["from"]["id"] == bob.id
    (note,) = await notifications(carol)
    assert note["kind"] == "follow_request" and note["state"] == "pending"
    assert note["subject"] == {"request_id": request["id"]}
    assert (await profile(bob, carol))["follow_state"] == "requested"

    answer = await carol.client.post(f"/api/follow-requests/{request['id']}/accept")
    assert answer.status_code == 200
    assert answer.json() == {"request": {"id": request["id"], "status": "accepted"}}
    assert (await profile(bob, carol))["follow_state"] == "following"
    (note,) = await notifications(carol)
    assert note["state"] == "accepted" and note["read"] is True
    (accepted,) = await notifications(bob)
    assert accepted["kind"] == "follow_accepted" and accepted["subject"] == {"user_id": carol.id}
    assert await incoming(carol) == []


async def test_a_declined_request_leaves_no_follow(bob, carol):
    await follow(bob, carol)
    (request,) = await incoming(carol)
    answer = await carol.client.post(f"/api/follow-requests/{request['id']}/decline")
    assert answer.json()["request"]["status"] == "declined"
    assert (await profile(bob, carol))["follow_state"] == "none"
    assert (await notifications(carol))[0]["state"] == "declined"
    assert await notifications(bob) == []
    # Declining again is harmless; changing the answer is a conflict.
    again = await carol.client.post(f"/api/follow-requests/{request['id']}/decline")
    assert again.status_code == 200
    change = await carol.client.post(f"/api/follow-requests/{request['id']}/accept")
    assert change.status_code == 409 and change.json()["error"]["code"] == "conflict"


async def test_only_the_recipient_may_answer_a_request(alice, bob, carol):
    await follow(bob, carol)
    (request,) = await incoming(carol)
    for stranger in (alice, bob):
        for verb in ("accept", "decline"):
            response = await stranger.client.post(f"/api/follow-requests/{request['id']}/{verb}")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
    assert (await profile(bob, carol))["follow_state"] == "requested"


async def test_cancelling_a_request_withdraws_its_notification(bob, carol):
    await follow(bob, carol)
    assert (await bob.client.delete(f"/api/users/{carol.id}/follow")).status_code == 204
    assert (await profile(bob, carol))["follow_state"] == "none"
    assert await incoming(carol) == []
    assert await notifications(carol) == []


async def test_unfollow_and_remove_follower(alice, bob):
    await follow(bob, alice)
    assert (await bob.client.delete(f"/api/users/{alice.id}/follow")).status_code == 204
    assert (await profile(bob, alice))["follow_state"] == "none"
    await follow(bob, alice)
    assert (await alice.client.delete(f"/api/users/{bob.id}/follower")).status_code == 204
    assert (await profile(bob, alice))["follow_state"] == "none"
    assert (await profile(alice, alice))["followers_count"] == 0


async def test_following_oneself_or_nobody_is_refused(alice):
    itself = await alice.client.post(f"/api/users/{alice.id}/follow")
    assert itself.status_code == 422 and itself.json()["error"]["code"] == "validation_error"
    nobody = await alice.client.post("/api/users/999999/follow")
    assert nobody.status_code == 404
    assert (await alice.client.post("/api/follow-requests/999999/accept")).status_code == 404


async def test_going_public_accepts_nothing_automatically(bob, carol):
    await follow(bob, carol)
    response = await carol.client.patch("/api/users/me", json={"is_public": True})
    assert response.json()["user"]["is_public"] is True
    assert (await profile(bob, carol))["follow_state"] == "requested"
    assert len(await incoming(carol)) == 1
