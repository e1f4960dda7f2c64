"""People and profiles (API.md, Users and profiles)."""

from __future__ import annotations

import asyncpg
import trio
from quart import Blueprint, Response, make_response

from server.db import activity, follows, posts, profiles
from server.domain import account_data
from server.domain.profiles import (
    parse_profile_changes,
    read_if_viewable,
    set_avatar,
)
from server.domain.profiles import (
    update_me as update_profile,
)
from server.errors import NotFound, ValidationError
from server.http import bodies
from server.http.context import config, db, services, viewer_id
from server.http.guards import clear_session_cookie
from server.http.paging import page_args, paged, query_text
from server.http.uploads import open_upload
from server.shapes import (
    card_from_row,
    iso,
    iso_date,
    me_json,
    media_url,
    person_from_row,
    post_from_row,
)

blueprint = Blueprint("users", __name__, url_prefix="/api/users")


def _follow_state(row: asyncpg.Record, viewer: int) -> str:
    if row["id"] == viewer:
        return "self"
    if row["following"]:
        return "following"
    return "requested" if row["requested"] else "none"


def profile_json(row: asyncpg.Record, viewer: int) -> dict:
    profile = {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "nickname": row["nickname"],
        "avatar_url": media_url(row["avatar_id"]),
        "is_public": row["is_public"],
        "can_view": row["can_view"],
        "follow_state": _follow_state(row, viewer),
        "follows_you": row["follows_you"],
        "followers_count": row["followers_count"],
        "following_count": row["following_count"],
        # Mine to undo (API.md, Blocks); whom I blocked I still see, as a card.
        "blocked": row["blocked"],
    }
    if row["can_view"]:
        profile.update(
            email=row["email"],
            date_of_birth=iso_date(row["date_of_birth"]),
            about_me=row["about_me"],
            created_at=iso(row["created_at"]),
        )
    return profile


@blueprint.get("")
async def search():
    """People whose names or nickname contain `q` (everyone when it is empty)."""
    query = query_text()
    page = page_args()
    viewer = viewer_id()
    rows = await db().run(profiles.search_users, query, viewer, page.before, page.fetch)
    return paged(rows, page, person_from_row, lambda row: row["id"])


@blueprint.get("/<id:user_id>")
async def profile(user_id: int):
    """A profile: the card for everyone, every detail for those who may view it."""
    viewer = viewer_id()
    row = await db().run(profiles.select_profile, user_id, viewer)
    if row is None:
        raise NotFound("No such user.")
    return {"user": profile_json(row, viewer)}


async def _profile_list(user_id: int, read, to_json, cursor):
    """A list of the profile's, read in the same crossing as the check that gates it."""
    page = page_args()
    rows = await db().run(read_if_viewable, user_id, viewer_id(), lambda conn: read(conn, page))
    return paged(rows, page, to_json, cursor)


@blueprint.get("/<id:user_id>/followers")
async def followers(user_id: int):
    """Who follows this person, most recent first."""
    viewer = viewer_id()
    return await _profile_list(
        user_id,
        lambda conn, page: follows.select_followers(conn, user_id, viewer, page.before, page.fetch),
        card_from_row,
        lambda row: row["id"],
    )


@blueprint.get("/<id:user_id>/following")
async def following(user_id: int):
    """Whom this person follows, most recent first."""
    viewer = viewer_id()
    return await _profile_list(
        user_id,
        lambda conn, page: follows.select_following(conn, user_id, viewer, page.before, page.fetch),
        card_from_row,
        lambda row: row["id"],
    )


@blueprint.get("/<id:user_id>/posts")
async def user_posts(user_id: int):
    """This person's posts that the viewer may see, newest first."""
    viewer = viewer_id()
    return await _profile_list(
        user_id,
        lambda conn, page: posts.select_author_posts(
            conn, user_id, viewer, page.before, page.fetch
        ),
        post_from_row,
        lambda row: row["id"],
    )


def _activity_json(item: dict) -> dict:
    kind, ref = item["kind"], item["ref"]
    entry = {"kind": kind, "created_at": iso(item["created_at"]), "cursor": item["cursor"]}
    if kind == "post":
        entry["post"] = post_from_row(ref)
    elif kind == "comment":
        entry["comment"] = {
            "id": ref["id"],
            "post_id": ref["post_id"],
            "body": ref["body"],
            "created_at": iso(ref["created_at"]),
        }
    elif kind == "group_join":
        entry["group"] = {"id": ref["id"], "title": ref["title"]}
    elif kind == "event":
        entry["event"] = {
            "id": ref["id"],
            "title": ref["title"],
            "group_id": ref["group_id"],
            "group_title": ref["group_title"],
            "starts_at": iso(ref["starts_at"]),
        }
    return entry


@blueprint.get("/<id:user_id>/activity")
async def user_activity(user_id: int):
    """Posts, comments, group joins and events created, newest first (cursor: a time in µs)."""
    viewer = viewer_id()
    return await _profile_list(
        user_id,
        lambda conn, page: activity.select_activity(conn, user_id, viewer, page.before, page.fetch),
        _activity_json,
        lambda item: item["cursor"],
    )


@blueprint.patch("/me")
async def update_me():
    """Edit names, nickname, about me, public/private."""
    changes = parse_profile_changes(await bodies.json_object())
    user = await db().transaction(update_profile, viewer_id(), changes)
    return {"user": me_json(user)}


@blueprint.put("/me/avatar")
async def put_avatar():
    """Replace the avatar (multipart field `avatar`)."""
    data = await bodies.optional_file("avatar")
    if data is None:
        raise ValidationError(fields={"avatar": "choose an image"})
    async with open_upload(data, field="avatar") as image:
        user = await db().transaction(set_avatar, viewer_id(), image)
    return {"user": me_json(user)}


@blueprint.delete("/me/avatar")
async def delete_avatar():
    """Remove the avatar."""
    user = await db().transaction(set_avatar, viewer_id(), None)
    return {"user": me_json(user)}


@blueprint.delete("/me")
async def delete_me():
    """Delete the account and all it authored (password required); the cookie is cleared."""
    body = await bodies.json_object()
    await account_data.delete_account(services().sessions, services().sweeper, viewer_id(), body)
    response = await make_response("", 204)
    clear_session_cookie(response)
    return response


# The export is read from its temporary file this much at a time.
EXPORT_CHUNK_BYTES = 64 * 1024


@blueprint.get("/me/export")
async def export_me():
    """A zip of the viewer's data: data.json and media/ (their own images)."""
    archive = await account_data.export_account(db(), config().media_dir, viewer_id())

    async def chunks():
        try:
            while chunk := await trio.to_thread.run_sync(archive.read, EXPORT_CHUNK_BYTES):
                yield chunk
        finally:
            archive.close()

    return Response(
        chunks(),
        status=200,
        mimetype="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="socialnet-export.zip"',
            "Cache-Control": "no-store",
        },
    )
