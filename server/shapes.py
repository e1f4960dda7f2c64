"""Objects as API.md spells them, shared by the HTTP routes, the bus events and the WebSocket
frames. Rows in, plain dicts out; nothing here reads the database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from server.schema import (
    BOOLEAN,
    COUNT,
    DATE,
    ID,
    STRING,
    TIME,
    URL,
    component,
    enum,
    nullable,
    obj,
)

# The reactions of API.md, in the order of the `reaction_counts` columns (server/db/schema.py):
# a new kind goes at the end, with a migration.
REACTION_KINDS = ("like", "love", "haha", "wow", "sad", "angry")


def iso(moment: datetime | str | None) -> str | None:
    """A time as API.md writes it (ISO 8601, UTC, milliseconds); one already written passes."""
    if moment is None or isinstance(moment, str):
        return moment
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_date(day: date | None) -> str | None:
    """YYYY-MM-DD; None for an account that has not given it yet (external sign-in)."""
    return None if day is None else day.isoformat()


def media_url(media_id: int | None) -> str | None:
    return None if media_id is None else f"/media/{media_id}"


CARD_FIELDS = {
    "id": ID,
    "first_name": STRING,
    "last_name": STRING,
    "nickname": nullable(STRING),
    "avatar_url": nullable(URL),
}
# A user in lists: `<user card>`.
USER_CARD = component("UserCard", obj(CARD_FIELDS))

FOLLOW_STATES = ("none", "requested", "following", "self")

ME = component(
    "Me",
    obj(
        {
            "id": ID,
            "email": STRING,
            "first_name": STRING,
            "last_name": STRING,
            "date_of_birth": nullable(DATE),
            "nickname": nullable(STRING),
            "about_me": nullable(STRING),
            "avatar_url": nullable(URL),
            "is_public": BOOLEAN,
            "created_at": TIME,
        }
    ),
)


def me_json(user: Any) -> dict:
    """`<me>`: every profile field but the password, plus `is_public`."""
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_of_birth": iso_date(user.date_of_birth),
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


PERSON = component(
    "Person",
    obj({**CARD_FIELDS, "is_public": BOOLEAN, "follow_state": enum(*FOLLOW_STATES)}),
)


def person_from_row(row: asyncpg.Record) -> dict:
    """A person in a list of people (server.db.profiles.person_columns): their card, whether
    their profile is public, and the viewer's follow state."""
    return {
        **card_from_row(row),
        "is_public": row["is_public"],
        "follow_state": row["follow_state"],
    }


REACTIONS = {
    "type": "object",
    "description": "each kind with a non-zero count, and its count",
    "propertyNames": enum(*REACTION_KINDS),
    "additionalProperties": {"type": "integer", "minimum": 1},
}
MY_REACTION = nullable(enum(*REACTION_KINDS))
PRIVACY = enum("public", "almost_private", "private")

POST_FIELDS = {
    "id": ID,
    "author": USER_CARD,
    "body": STRING,
    "image_url": nullable(URL),
    "privacy": PRIVACY,
    "group_id": nullable(ID),
    "created_at": TIME,
    "edited_at": nullable(TIME),
    "comments_count": COUNT,
    "reactions": REACTIONS,
}
POST = component("Post", obj({**POST_FIELDS, "my_reaction": MY_REACTION}))
# In live frames, which every reader shares: no my_reaction (without_my_reaction).
LIVE_POST = component("LivePost", obj(POST_FIELDS))

COMMENT_FIELDS = {
    "id": ID,
    "post_id": ID,
    "author": USER_CARD,
    "body": STRING,
    "image_url": nullable(URL),
    "created_at": TIME,
    "edited_at": nullable(TIME),
    "reactions": REACTIONS,
}
COMMENT = component("Comment", obj({**COMMENT_FIELDS, "my_reaction": MY_REACTION}))
LIVE_COMMENT = component("LiveComment", obj(COMMENT_FIELDS))


def reactions_json(counts: list[int]) -> dict[str, int]:
    """`reactions`: each kind with a non-zero count, and its count."""
    return {kind: count for kind, count in zip(REACTION_KINDS, counts, strict=True) if count}


def post_from_row(row: asyncpg.Record) -> dict:
    """`<post>` from a row of server.db.posts.post_columns."""
    return {
        "id": row["id"],
        "author": card_from_row(row, "author_"),
        "body": row["body"],
        "image_url": media_url(row["media_id"]),
        "privacy": row["privacy"],
        "group_id": row["group_id"],
        "created_at": iso(row["created_at"]),
        "edited_at": iso(row["edited_at"]),
        "comments_count": row["comments_count"],
        "reactions": reactions_json(row["reaction_counts"]),
        "my_reaction": row["my_reaction"],
    }


def comment_from_row(row: asyncpg.Record) -> dict:
    """`<comment>` from a row of server.db.comments.comment_columns."""
    return {
        "id": row["id"],
        "post_id": row["post_id"],
        "author": card_from_row(row, "author_"),
        "body": row["body"],
        "image_url": media_url(row["media_id"]),
        "created_at": iso(row["created_at"]),
        "edited_at": iso(row["edited_at"]),
        "reactions": reactions_json(row["reaction_counts"]),
        "my_reaction": row["my_reaction"],
    }


def without_my_reaction(item: dict) -> dict:
    """A `<post>` or `<comment>` for a live frame, which every reader shares: my_reaction is
    absent (each tab keeps its own)."""
    return {key: value for key, value in item.items() if key != "my_reaction"}


GROUP_STATES = ("none", "invited", "requested", "member", "creator")
GROUP = component(
    "Group",
    obj(
        {
            "id": ID,
            "title": STRING,
            "description": STRING,
            "creator": USER_CARD,
            "members_count": COUNT,
            "my_state": enum(*GROUP_STATES),
            "invitation_id": nullable(ID),
            "created_at": TIME,
        }
    ),
)


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


EVENT_RESPONSES = ("going", "not_going")
EVENT = component(
    "Event",
    obj(
        {
            "id": ID,
            "group_id": ID,
            "title": STRING,
            "description": STRING,
            "starts_at": TIME,
            "creator": USER_CARD,
            "going_count": COUNT,
            "not_going_count": COUNT,
            "my_response": nullable(enum(*EVENT_RESPONSES)),
            "created_at": TIME,
        }
    ),
)


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


# A direct conversation is named by the other person's id, a group one by the group's.
CONVERSATION = component("Conversation", obj({"kind": enum("direct", "group"), "id": ID}))
MESSAGE = component(
    "Message",
    obj(
        {
            "id": ID,
            "conversation": CONVERSATION,
            "sender": USER_CARD,
            "body": STRING,
            "created_at": TIME,
            "client_msg_id": nullable(STRING),
        }
    ),
)


def conversation(kind: str, conversation_id: int) -> dict:
    """A conversation as API.md names it: a direct one by the other person's id."""
    return {"kind": kind, "id": conversation_id}


def conversation_of(row: asyncpg.Record | dict, reader_id: int) -> dict:
    """The conversation of a message (a row with sender_id, recipient_id, group_id) as
    `reader_id` names it."""
    if row["group_id"] is not None:
        return conversation("group", row["group_id"])
    other = row["recipient_id"] if row["sender_id"] == reader_id else row["sender_id"]
    return conversation("direct", other)


def message_without_conversation(row: asyncpg.Record | dict) -> dict:
    """`<message>` but its conversation, which depends on the reader: what a bus event carries
    for every reader at once."""
    return {
        "id": row["id"],
        "sender": card_from_row(row, "sender_"),
        "body": row["body"],
        "created_at": iso(row["created_at"]),
        "client_msg_id": row["client_msg_id"],
    }


def message_from_row(row: asyncpg.Record, reader_id: int) -> dict:
    """`<message>` as `reader_id` sees it: a direct conversation is named by the other person."""
    message = message_without_conversation(row)
    return {"id": message["id"], "conversation": conversation_of(row, reader_id), **message}


def _notification_state(row: asyncpg.Record) -> str | None:
    for column in (
        "follow_request_status",
        "group_invitation_status",
        "group_join_request_status",
    ):
        status = row[column]
        if status is not None:
            return status if status in ("pending", "accepted", "declined") else None
    return None


def _notification_subject(row: asyncpg.Record) -> dict:
    kind = row["kind"]
    group = {"group_id": row["group_id"], "group_title": row["group_title"]}
    if kind == "follow_request":
        return {"request_id": row["follow_request_id"]}
    if kind in ("follow_accepted", "new_follower"):
        return {"user_id": row["actor_id"]}
    if kind == "group_invitation":
        return {"invitation_id": row["group_invitation_id"], **group}
    if kind == "group_join_request":
        return {"request_id": row["group_join_request_id"], **group}
    if kind == "group_join_accepted":
        return group
    if kind == "group_invitation_accepted":
        return {**group, "user_id": row["actor_id"]}
    if kind == "group_event":
        return {
            "event_id": row["event_id"],
            "event_title": row["event_title"],
            "starts_at": iso(row["event_starts_at"]),
            **group,
        }
    if kind == "post_comment":
        return {"post_id": row["post_id"], "comment_id": row["comment_id"]}
    if kind == "reaction":
        return {
            "post_id": row["post_id"],
            "comment_id": row["comment_id"],
            "reaction": row["reaction"],
        }
    return {}


_GROUP_SUBJECT = {"group_id": ID, "group_title": STRING}
# Each kind of notification, and its `subject` (_notification_subject).
NOTIFICATION_SUBJECTS = {
    "follow_request": obj({"request_id": ID}),
    "follow_accepted": obj({"user_id": ID}),
    "new_follower": obj({"user_id": ID}),
    "group_invitation": obj({"invitation_id": ID, **_GROUP_SUBJECT}),
    "group_join_request": obj({"request_id": ID, **_GROUP_SUBJECT}),
    "group_join_accepted": obj(_GROUP_SUBJECT),
    "group_invitation_accepted": obj({**_GROUP_SUBJECT, "user_id": ID}),
    "group_event": obj(
        {"event_id": ID, "event_title": STRING, "starts_at": TIME, **_GROUP_SUBJECT}
    ),
    "post_comment": obj({"post_id": ID, "comment_id": ID}),
    "reaction": obj({"post_id": ID, "comment_id": nullable(ID), "reaction": enum(*REACTION_KINDS)}),
}
NOTIFICATION = component(
    "Notification",
    {
        **obj(
            {
                "id": ID,
                "kind": enum(*NOTIFICATION_SUBJECTS),
                "actor": USER_CARD,
                "subject": {"type": "object"},
                "state": nullable(enum("pending", "accepted", "declined")),
                "read": BOOLEAN,
                "created_at": TIME,
            }
        ),
        # The subject's members follow the kind.
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}},
                "then": {"properties": {"subject": subject}},
            }
            for kind, subject in NOTIFICATION_SUBJECTS.items()
        ],
    },
)


def notification_json(row: asyncpg.Record) -> dict:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "actor": card_from_row(row, "actor_"),
        "subject": _notification_subject(row),
        "state": _notification_state(row),
        "read": row["read"],
        "created_at": iso(row["created_at"]),
    }
