"""Data export (API.md, Auth: GET /api/users/me/export): a zip with data.json (profile, posts,
comments, messages sent and received, follows, groups, event answers) and media/ with the
user's own images, and nothing of anyone else's."""

from __future__ import annotations

import io
import json
import zipfile

from tests.http.test_account_deletion import scene  # noqa: F401 (a fixture)


async def export_of(persona) -> tuple[zipfile.ZipFile, dict]:
    response = await persona.client.get("/api/users/me/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive, json.loads(archive.read("data.json"))


async def test_the_export_holds_everything_of_the_user(scene):  # noqa: F811
    dan = scene["dan"]
    archive, data = await export_of(dan)
    assert data["profile"]["id"] == dan.id and data["profile"]["email"] == "dan@example.com"
    assert "password" not in json.dumps(data)
    assert [p["body"] for p in data["posts"]] == ["Dan's post", "In Kept", "In Gone"]
    assert [c["body"] for c in data["comments"]] == ["Dan's comment"]
    assert [m["body"] for m in data["messages"]] == ["from Dan", "from Alice"]
    assert [u["first_name"] for u in data["following"]] == ["Bob"]
    assert [u["first_name"] for u in data["followers"]] == ["Alice"]
    assert [(g["title"], g["is_creator"]) for g in data["groups"]] == [
        ("Kept", True),
        ("Gone", True),
    ]
    assert [(a["title"], a["response"]) for a in data["event_answers"]] == [("Climb", "going")]

    files = {row["file"]: row for row in data["media"]}
    assert len(files) == 3
    assert set(files) | {"data.json"} == set(archive.namelist())
    types = sorted(row["content_type"] for row in files.values())
    assert types == ["image/gif", "image/jpeg", "image/png"]
    for name, row in files.items():
        assert len(archive.read(name)) == row["byte_size"]
    # Each file is the image as stored and served (GIFs too are rewritten frame by frame).
    for name, row in files.items():
        served = await dan.client.get(f"/media/{row['id']}")
        assert archive.read(name) == served.content


async def test_the_export_has_nothing_of_anyone_else(scene):  # noqa: F811
    archive, data = await export_of(scene["bob"])
    assert data["profile"]["first_name"] == "Bob"
    assert data["posts"] == [] and data["comments"] == [] and data["media"] == []
    assert archive.namelist() == ["data.json"]
    assert [g["title"] for g in data["groups"]] == ["Kept"]


async def test_the_export_needs_a_session(server, new_client):
    assert (await new_client().get("/api/users/me/export")).status_code == 401
