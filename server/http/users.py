"""People and profiles (API.md, Users and profiles)."""

from __future__ import annotations

import asyncpg
import trio
from quart import Blueprint, Response, make_response

from server.db import activity, follows, posts, profiles
from server.domain import account_data
from server.domain.inputs import Check, Fields, Upload
from server.domain.passwords import check_typed_password
from server.domain.profiles import PROFILE_CHANGES, read_if_viewable, set_avatar
from server.domain.profiles import update_me as update_profile
from server.errors import NotFound, PrivateProfile
from server.http.context import config, db, services, viewer_id
from server.http.contract import NO_CONTENT, Answer, declare
from server.http.guards import clear_session_cookie
from server.http.paging import PAGING, SEARCHABLE, page_of, paged
from server.http.uploads import open_upload
from server.schema import (
    BOOLEAN,
    COUNT,
    DATE,
    ID,
    INTEGER,
    STRING,
    TIME,
    component,
    enum,
    nullable,
    obj,
)
from server.schema import page_of as page_schema
from server.shapes import (
    CARD_FIELDS,
    FOLLOW_STATES,
    ME,
    PERSON,
    POST,
    USER_CARD,
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


PROFILE = component(
    "Profile",
    obj(
        {
            **CARD_FIELDS,
            "is_public": BOOLEAN,
            "can_view": BOOLEAN,
            "follow_state": enum(*FOLLOW_STATES),
            "follows_you": BOOLEAN,
            "followers_count": COUNT,
            "following_count": COUNT,
            "blocked": BOOLEAN,
        },
        # When can_view.
        {
            "email": STRING,
            "date_of_birth": nullable(DATE),
            "about_me": nullable(STRING),
            "created_at": TIME,
        },
    ),
)
ME_ANSWER = obj({"user": ME})
# The lists of a profile the viewer may not view.
PROFILE_LISTS_REFUSE = (PrivateProfile,)


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
@declare(query=SEARCHABLE, answers={200: page_schema(PERSON)})
async def search(query: dict):
    """People whose names or nickname contain `q` (everyone when it is empty)."""
    page = page_of(query)
    viewer = viewer_id()
    rows = await db().run(profiles.search_users, query["q"], viewer, page.before, page.fetch)
    return paged(rows, page, person_from_row, lambda row: row["id"])


@blueprint.get("/<id:user_id>")
@declare(answers={200: obj({"user": PROFILE})})
async def profile(user_id: int):
    """A profile: the card for everyone, every detail for those who may view it."""
    viewer = viewer_id()
    row = await db().run(profiles.select_profile, user_id, viewer)
    if row is None:
        raise NotFound("No such user.")
    return {"user": profile_json(row, viewer)}


def _profile_list_route(items):
    return declare(query=PAGING, answers={200: page_schema(items)}, errors=PROFILE_LISTS_REFUSE)


async def _profile_list(query: dict, user_id: int, read, to_json, cursor):
    """A list of the profile's, read in the same crossing as the check that gates it."""
    page = page_of(query)
    rows = await db().run(read_if_viewable, user_id, viewer_id(), lambda conn: read(conn, page))
    return paged(rows, page, to_json, cursor)


@blueprint.get("/<id:user_id>/followers")
@_profile_list_route(USER_CARD)
async def followers(user_id: int, query: dict):
    """Who follows this person, most recent first."""
    viewer = viewer_id()
    return await _profile_list(
        query,
        user_id,
        lambda conn, page: follows.select_followers(conn, user_id, viewer, page.before, page.fetch),
        card_from_row,
        lambda row: row["id"],
    )


@blueprint.get("/<id:user_id>/following")
@_profile_list_route(USER_CARD)
async def following(user_id: int, query: dict):
    """Whom this person follows, most recent first."""
    viewer = viewer_id()
    return await _profile_list(
        query,
        user_id,
        lambda conn, page: follows.select_following(conn, user_id, viewer, page.before, page.fetch),
        card_from_row,
        lambda row: row["id"],
    )


@blueprint.get("/<id:user_id>/posts")
@_profile_list_route(POST)
async def user_posts(user_id: int, query: dict):
    """This person's posts that the viewer may see, newest first."""
    viewer = viewer_id()
    return await _profile_list(
        query,
        user_id,
        lambda conn, page: posts.select_author_posts(
            conn, user_id, viewer, page.before, page.fetch
        ),
        post_from_row,
        lambda row: row["id"],
    )


ACTIVITY = component(
    "Activity",
    obj(
        {
            "kind": enum("post", "comment", "group_join", "event"),
            "created_at": TIME,
            "cursor": INTEGER,
        },
        {
            "post": POST,
            "comment": obj({"id": ID, "post_id": ID, "body": STRING, "created_at": TIME}),
            "group": obj({"id": ID, "title": STRING}),
            "event": obj(
                {
                    "id": ID,
                    "title": STRING,
                    "group_id": ID,
                    "group_title": STRING,
                    "starts_at": TIME,
                }
            ),
        },
    ),
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
@_profile_list_route(ACTIVITY)
async def user_activity(user_id: int, query: dict):
    """Posts, comments, group joins and events created, newest first (cursor: a time in µs)."""
    viewer = viewer_id()
    return await _profile_list(
        query,
        user_id,
        lambda conn, page: activity.select_activity(conn, user_id, viewer, page.before, page.fetch),
        _activity_json,
        lambda item: item["cursor"],
    )


@blueprint.patch("/me")
@declare(json=PROFILE_CHANGES, answers={200: ME_ANSWER})
async def update_me(body: dict):
    """Edit names, nickname, about me, public/private."""
    user = await db().transaction(update_profile, viewer_id(), body)
    return {"user": me_json(user)}


@blueprint.put("/me/avatar")
@declare(form=Fields(avatar=Upload(required=True)), answers={200: ME_ANSWER})
async def put_avatar(body: dict):
    """Replace the avatar (multipart field `avatar`)."""
    async with open_upload(body["avatar"], field="avatar") as image:
        user = await db().transaction(set_avatar, viewer_id(), image)
    return {"user": me_json(user)}


@blueprint.delete("/me/avatar")
@declare(answers={200: ME_ANSWER})
async def delete_avatar():
    """Remove the avatar."""
    user = await db().transaction(set_avatar, viewer_id(), None)
    return {"user": me_json(user)}


def _typed_password(value: object) -> str:
    return check_typed_password(value, field="password")


@blueprint.delete("/me")
@declare(
    json=Fields(password=Check(_typed_password, {"type": "string", "minLength": 1})),
    answers={204: NO_CONTENT},
)
async def delete_me(body: dict):
    """Delete the account and all it authored (password required); the cookie is cleared."""
    await account_data.delete_account(
        services().sessions, services().sweeper, viewer_id(), body["password"]
    )
    response = await make_response("", 204)
    clear_session_cookie(response)
    return response


# The export is read from its temporary file this much at a time.
EXPORT_CHUNK_BYTES = 64 * 1024


@blueprint.get("/me/export")
@declare(
    answers={
        200: Answer(
            media="application/zip",
            schema={"type": "string", "format": "binary"},
            description="data.json and media/",
        )
    }
)
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
