"""Objects as API.md spells them, shared by the HTTP routes and the WebSocket frames."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from server.db.users import User


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def media_url(media_id: int | None) -> str | None:
    return None if media_id is None else f"/media/{media_id}"


def me_json(user: User) -> dict:
    """`<me>`: every profile field but the password, plus `is_public`."""
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_of_birth": user.date_of_birth.isoformat(),
        "nickname": user.nickname,
        "about_me": user.about_me,
        "avatar_url": media_url(user.avatar_id),
        "is_public": user.is_public,
        "created_at": iso(user.created_at),
    }


def card_from_row(row: asyncpg.Record, prefix: str = "") -> dict:
    """A user card from a row whose columns are `<prefix>id`, `<prefix>first_name`..."""
    return {
        "id": row[f"{prefix}id"],
        "first_name": row[f"{prefix}first_name"],
        "last_name": row[f"{prefix}last_name"],
        "nickname": row[f"{prefix}nickname"],
        "avatar_url": media_url(row[f"{prefix}avatar_id"]),
    }


def post_from_row(row: asyncpg.Record) -> dict:
    """`<post>` from a row of server.db.posts.POST_COLUMNS."""
    return {
        "id": row["id"],
        "author": card_from_row(row, "author_"),
        "body": row["body"],
        "image_url": media_url(row["media_id"]),
        "privacy": row["privacy"],
        "group_id": row["group_id"],
        "created_at": iso(row["created_at"]),
        "comments_count": row["comments_count"],
    }


def comment_from_row(row: asyncpg.Record) -> dict:
    """`<comment>` from a row of server.db.comments.COMMENT_COLUMNS."""
    return {
        "id": row["id"],
        "post_id": row["post_id"],
        "author": card_from_row(row, "author_"),
        "body": row["body"],
        "image_url": media_url(row["media_id"]),
        "created_at": iso(row["created_at"]),
    }


def group_from_row(row: asyncpg.Record) -> dict:
    """A group as server.db.groups.GROUP_COLUMNS reads it for one viewer."""
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "creator": card_from_row(row, "creator_"),
        "members_count": row["members_count"],
        "my_state": row["my_state"],
        # The pending invitation to answer, when my_state is "invited".
        "invitation_id": row["invitation_id"],
        "created_at": iso(row["created_at"]),
    }


def event_from_row(row: asyncpg.Record) -> dict:
    """`<event>` from a row of server.db.events.EVENT_COLUMNS."""
    return {
        "id": row["id"],
        "group_id": row["group_id"],
        "title": row["title"],
        "description": row["description"],
        "starts_at": iso(row["starts_at"]),
        "creator": card_from_row(row, "creator_"),
        "going_count": row["going_count"],
        "not_going_count": row["not_going_count"],
        "my_response": row["my_response"],
        "created_at": iso(row["created_at"]),
    }


def message_from_row(row: asyncpg.Record, reader_id: int) -> dict:
    """`<message>` as `reader_id` sees it: a direct conversation is named by the other person."""
    if row["group_id"] is not None:
        conversation = {"kind": "group", "id": row["group_id"]}
    else:
        other = row["recipient_id"] if row["sender_id"] == reader_id else row["sender_id"]
        conversation = {"kind": "direct", "id": other}
    return {
        "id": row["id"],
        "conversation": conversation,
        "sender": card_from_row(row, "sender_"),
        "body": row["body"],
        "created_at": iso(row["created_at"]),
        "client_msg_id": row["client_msg_id"],
    }
