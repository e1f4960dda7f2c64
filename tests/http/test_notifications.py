"""The bell over HTTP: list, unread count, mark one or all read, and only one's own."""

from __future__ import annotations


async def test_list_count_and_mark_read(alice, bob, new_persona):
    dan = await new_persona("Dan")
    for follower in (bob, dan):
        await follower.client.post(f"/api/users/{alice.id}/follow")
    listed = (await alice.client.get("/api/notifications")).json()
    assert [n["actor"]["id"] for n in listed["items"]] == [dan.id, bob.id]  # newest first
    assert all(n["read"] is False for n in listed["items"])
    assert (await alice.client.get("/api/notifications/unread-count")).json() == {"count": 2}

    newest = listed["items"][0]["id"]
    assert (await alice.client.post(f"/api/notifications/{newest}/read")).status_code == 204
    assert (await alice.client.get("/api/notifications/unread-count")).json() == {"count": 1}
    unread = (await alice.client.get("/api/notifications?unread=true")).json()["items"]
    assert [n["actor"]["id"] for n in unread] == [bob.id]

    assert (await alice.client.post("/api/notifications/read-all")).status_code == 204
    assert (await alice.client.get("/api/notifications/unread-count")).json() == {"count": 0}
    assert (await alice.client.get("/api/notifications?unread=true")).json()["items"] == []


async def test_paging_returns_each_notification_once(alice, new_persona):
    followers = [await new_persona(f"F{n}") for n in range(5)]
    for follower in followers:
        await follower.client.post(f"/api/users/{alice.id}/follow")
    seen, before = [], None
    while True:
        query = "?limit=2" + (f"&before={before}" if before else "")
        page = (await alice.client.get(f"/api/notifications{query}")).json()
        seen += [n["id"] for n in page["items"]]
        before = page["next"]
        if before is None:
            break
    assert len(seen) == len(set(seen)) == 5 and seen == sorted(seen, reverse=True)


async def test_someone_elses_notification_cannot_be_touched(alice, bob):
    await bob.client.post(f"/api/users/{alice.id}/follow")
    (note,) = (await alice.client.get("/api/notifications")).json()["items"]
    response = await bob.client.post(f"/api/notifications/{note['id']}/read")
    assert response.status_code == 404
    assert (await bob.client.get("/api/notifications")).json()["items"] == []
    assert (await alice.client.get("/api/notifications/unread-count")).json() == {"count": 1}
    assert (await alice.client.get("/api/notifications?unread=maybe")).status_code == 422
