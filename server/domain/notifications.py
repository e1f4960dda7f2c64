"""Notifications: persisted, then pushed live with the recipient's new unread count.

Every kind is one call: `await notify(conn, Draft(user_id=..., kind=..., actor_id=..., ...))`
inside the transaction of the write that causes it. Rows, unread counts and bus events for any
number of recipients cost three statements, never one per recipient.
"""

from __future__ import annotations

import asyncpg

from server.db import notifications as rows
from server.db.database import emit
from server.db.notifications import Draft
from server.events import Notified
from server.shapes import notification_json

__all__ = ["Draft", "notify", "push_updates"]


async def push_updates(conn: asyncpg.Connection, notification_ids: list[int]) -> None:
    """Publish the current form of these notifications (new, or changed: a request answered)
    to every socket of their owners, with each owner's unread count."""
    if not notification_ids:
        return
    found = await rows.select_by_ids(conn, notification_ids)
    counts = await rows.unread_counts(conn, [row["user_id"] for row in found])
    emit(
        conn,
        *(
            Notified(row["user_id"], notification_json(row), counts[row["user_id"]])
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
