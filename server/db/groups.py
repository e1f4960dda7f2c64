"""Groups, members, invitations and join requests: plain functions, connection first."""

from __future__ import annotations

import asyncpg

from server.db import visibility

# A group as a viewer sees it ($2): its creator's card, its size, and the viewer's state.
GROUP_COLUMNS = f"""
    g.id, g.title, g.description, g.created_at,
    c.id AS creator_id, c.first_name AS creator_first_name, c.last_name AS creator_last_name,
    c.nickname AS creator_nickname, c.avatar_id AS creator_avatar_id,
    (SELECT count(*) FROM group_members WHERE group_id = g.id) AS members_count,
    CASE
        WHEN g.creator_id = $2 THEN 'creator'
        WHEN {visibility.is_member("g.id", "$2")} THEN 'member'
        WHEN EXISTS (
            SELECT 1 FROM group_invitations
            WHERE group_id = g.id AND invitee_id = $2 AND status = 'pending'
        ) THEN 'invited'
        WHEN EXISTS (
            SELECT 1 FROM group_join_requests
            WHERE group_id = g.id AND user_id = $2 AND status = 'pending'
        ) THEN 'requested'
        ELSE 'none'
    END AS my_state,
    (SELECT id FROM group_invitations
     WHERE group_id = g.id AND invitee_id = $2 AND status = 'pending') AS invitation_id
"""

SELECT_GROUP = f"SELECT {GROUP_COLUMNS} FROM groups g JOIN users c ON c.id = g.creator_id"

BROWSE = f"""
{SELECT_GROUP}
WHERE ($1 = '' OR g.title ILIKE $1 ESCAPE '\\') AND ($3::bigint IS NULL OR g.id < $3)
ORDER BY g.id DESC
LIMIT $4
"""


async def browse(
    conn: asyncpg.Connection, pattern: str, viewer_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(BROWSE, pattern, viewer_id, before, limit)


async def select_group(
    conn: asyncpg.Connection, group_id: int, viewer_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(f"{SELECT_GROUP} WHERE g.id = $1", group_id, viewer_id)


async def is_member(conn: asyncpg.Connection, group_id: int, user_id: int) -> bool | None:
    """Whether `user_id` belongs to the group; None when there is no such group."""
    return await conn.fetchval(
        f"SELECT {visibility.is_member('g.id', '$2')} FROM groups g WHERE g.id = $1",
        group_id,
        user_id,
    )


async def insert_group(
    conn: asyncpg.Connection, creator_id: int, title: str, description: str
) -> int:
    group_id = await conn.fetchval(
        "INSERT INTO groups (title, description, creator_id) VALUES ($1, $2, $3) RETURNING id",
        title,
        description,
        creator_id,
    )
    await insert_member(conn, group_id, creator_id)
    return group_id


async def insert_member(conn: asyncpg.Connection, group_id: int, user_id: int) -> bool:
    status = await conn.execute(
        "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        group_id,
        user_id,
    )
    return status.endswith(" 1")


async def delete_member(conn: asyncpg.Connection, group_id: int, user_id: int) -> bool:
    status = await conn.execute(
        "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2", group_id, user_id
    )
    return status.endswith(" 1")


async def member_ids(conn: asyncpg.Connection, group_id: int) -> list[int]:
    rows = await conn.fetch("SELECT user_id FROM group_members WHERE group_id = $1", group_id)
    return [row["user_id"] for row in rows]


MEMBERS = """
SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id, m.joined_at,
       (u.id = g.creator_id) AS is_creator
FROM group_members m JOIN users u ON u.id = m.user_id JOIN groups g ON g.id = m.group_id
WHERE m.group_id = $1 AND ($2::bigint IS NULL OR u.id < $2)
ORDER BY u.id DESC
LIMIT $3
"""


async def select_members(
    conn: asyncpg.Connection, group_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(MEMBERS, group_id, before, limit)


# --- invitations and join requests share a shape: (id, group_id, user, status) ---

INVITATION_COLUMNS = "id, group_id, inviter_id, invitee_id, status"
JOIN_REQUEST_COLUMNS = "id, group_id, user_id, status"


async def pending_invitation(
    conn: asyncpg.Connection, group_id: int, invitee_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {INVITATION_COLUMNS} FROM group_invitations"
        " WHERE group_id = $1 AND invitee_id = $2 AND status = 'pending'",
        group_id,
        invitee_id,
    )


async def insert_invitation(
    conn: asyncpg.Connection, group_id: int, inviter_id: int, invitee_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""
        INSERT INTO group_invitations (group_id, inviter_id, invitee_id) VALUES ($1, $2, $3)
        ON CONFLICT DO NOTHING RETURNING {INVITATION_COLUMNS}
        """,
        group_id,
        inviter_id,
        invitee_id,
    )


async def invitation_for_update(
    conn: asyncpg.Connection, invitation_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {INVITATION_COLUMNS} FROM group_invitations WHERE id = $1 FOR UPDATE",
        invitation_id,
    )


async def set_invitation_status(conn: asyncpg.Connection, invitation_id: int, status: str):
    await conn.execute(
        "UPDATE group_invitations SET status = $2, answered_at = now() WHERE id = $1",
        invitation_id,
        status,
    )


async def pending_join_request(
    conn: asyncpg.Connection, group_id: int, user_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {JOIN_REQUEST_COLUMNS} FROM group_join_requests"
        " WHERE group_id = $1 AND user_id = $2 AND status = 'pending'",
        group_id,
        user_id,
    )


async def insert_join_request(
    conn: asyncpg.Connection, group_id: int, user_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""
        INSERT INTO group_join_requests (group_id, user_id) VALUES ($1, $2)
        ON CONFLICT DO NOTHING RETURNING {JOIN_REQUEST_COLUMNS}
        """,
        group_id,
        user_id,
    )


async def join_request_for_update(
    conn: asyncpg.Connection, request_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE id = $1 FOR UPDATE",
        request_id,
    )


async def set_join_request_status(conn: asyncpg.Connection, request_id: int, status: str):
    await conn.execute(
        "UPDATE group_join_requests SET status = $2, answered_at = now() WHERE id = $1",
        request_id,
        status,
    )


PENDING_JOIN_REQUESTS = """
SELECT r.id, r.status, r.created_at, u.id AS user_id, u.first_name AS user_first_name,
       u.last_name AS user_last_name, u.nickname AS user_nickname, u.avatar_id AS user_avatar_id
FROM group_join_requests r JOIN users u ON u.id = r.user_id
WHERE r.group_id = $1 AND r.status = 'pending' AND ($2::bigint IS NULL OR r.id < $2)
ORDER BY r.id DESC
LIMIT $3
"""


async def select_pending_join_requests(
    conn: asyncpg.Connection, group_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(PENDING_JOIN_REQUESTS, group_id, before, limit)


async def creator_of(conn: asyncpg.Connection, group_id: int) -> int | None:
    return await conn.fetchval("SELECT creator_id FROM groups WHERE id = $1", group_id)
