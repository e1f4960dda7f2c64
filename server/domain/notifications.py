"""Notifications: persisted, then pushed live with the recipient's new unread count.

Every kind is one call: `await notify(conn, Draft(user_id=..., kind=..., actor_id=..., ...))`
inside the transaction of the write that causes it. Rows, unread counts and bus events for any
number of recipients cost three statements, never one per recipient.
"""

from __future__ import annotations

import asyncpg

from server.db import notifications as rows
from server.db.notifications import Draft
from server.realtime import bus
from server.shapes import card_from_row, iso

__all__ = ["Draft", "notify", "push_updates", "notification_json"]


def _state(row: asyncpg.Record) -> str | None:
    for column in (
        "follow_request_status",
        "group_invitation_status",
        "group_join_request_status",
    ):
        status = row[column]
        if status is not None:
            return status if status in ("pending", "accepted", "declined") else None
    return None


def _subject(row: asyncpg.Record) -> dict:
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
    return {}


def notification_json(row: asyncpg.Record) -> dict:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "actor": card_from_row(row, "actor_"),
        "subject": _subject(row),
        "state": _state(row),
        "read": row["read"],
        "created_at": iso(row["created_at"]),
    }


async def push_updates(conn: asyncpg.Connection, notification_ids: list[int]) -> None:
    """Publish the current form of these notifications (new, or changed: a request answered)
    to every socket of their owners, with each owner's unread count."""
    if not notification_ids:
        return
    found = await rows.select_by_ids(conn, notification_ids)
    counts = await rows.unread_counts(conn, [row["user_id"] for row in found])
    await bus.publish(
        conn,
        *(
            bus.deliver(
                [row["user_id"]],
                {
                    "type": "notification",
                    "notification": notification_json(row),
                    "unread_count": counts[row["user_id"]],
                },
            )
            for row in found
        ),
    )


async def notify(conn: asyncpg.Connection, *drafts: Draft) -> list[int]:
    """Create notifications and push them live; inside the caller's transaction."""
    drafts = tuple(draft for draft in drafts if draft.user_id != draft.actor_id)
    if not drafts:
        return []
    ids = await rows.insert_notifications(conn, list(drafts))
    await push_updates(conn, ids)
    return ids
