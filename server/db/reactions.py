"""Reactions: one per person per post or comment, and the counts kept on the reacted row.

The counts live in the reacted row (`reaction_counts`, one integer per kind in the order of
REACTION_KINDS) and move in the transaction that adds, changes or withdraws a reaction, so a
page of posts reads them with its own rows, whatever their number of reactions. Every such
write first locks the reacted row: writes to one post's reactions take turns (they would on
the counts anyway), and the "what was my reaction" read that decides the change is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.db import visibility
from server.shapes import REACTION_KINDS


@dataclass(frozen=True, slots=True)
class Reacted:
    """Where the reactions to one kind of thing live: the reactions table, its column naming
    the reacted row, and the reacted table (which holds the counts)."""

    table: str
    column: str
    target: str


POSTS = Reacted("post_reactions", "post_id", "posts")
COMMENTS = Reacted("comment_reactions", "comment_id", "comments")


def count_changes(old: str | None, new: str | None) -> list[int]:
    """What a change from `old` to `new` (None: no reaction) adds to each kind's count."""
    return [(kind == new) - (kind == old) for kind in REACTION_KINDS]


async def lock_reacted(conn: asyncpg.Connection, on: Reacted, target_id: int) -> None:
    await conn.execute(f"SELECT 1 FROM {on.target} WHERE id = $1 FOR UPDATE", target_id)


async def select_kind(
    conn: asyncpg.Connection, on: Reacted, target_id: int, user_id: int
) -> str | None:
    return await conn.fetchval(
        f"SELECT kind FROM {on.table} WHERE {on.column} = $1 AND user_id = $2", target_id, user_id
    )


async def upsert(conn: asyncpg.Connection, on: Reacted, target_id: int, user_id: int, kind: str):
    """Set the person's reaction; a change keeps the time of their first one."""
    await conn.execute(
        f"""
        INSERT INTO {on.table} ({on.column}, user_id, kind) VALUES ($1, $2, $3)
        ON CONFLICT ({on.column}, user_id) DO UPDATE SET kind = EXCLUDED.kind
        """,
        target_id,
        user_id,
        kind,
    )


async def delete(conn: asyncpg.Connection, on: Reacted, target_id: int, user_id: int):
    """Withdraw the person's reaction; the kind it was, or None when there was none."""
    return await conn.fetchval(
        f"DELETE FROM {on.table} WHERE {on.column} = $1 AND user_id = $2 RETURNING kind",
        target_id,
        user_id,
    )


async def add_to_counts(
    conn: asyncpg.Connection, on: Reacted, target_id: int, changes: list[int]
) -> list[int]:
    """Add `changes` (one number per kind) to the row's counts; the counts now."""
    return await conn.fetchval(
        f"""
        UPDATE {on.target} SET reaction_counts = ARRAY(
            SELECT c + d FROM unnest(reaction_counts, $2::integer[]) WITH ORDINALITY AS t(c, d, n)
            ORDER BY n
        )
        WHERE id = $1
        RETURNING reaction_counts
        """,
        target_id,
        changes,
    )


def _uncount(on: Reacted) -> str:
    # One reaction per person per row: the join gives each reacted row once.
    return f"""
    UPDATE {on.target} t SET reaction_counts = ARRAY(
        SELECT c - (k = r.kind)::integer
        FROM unnest(t.reaction_counts, $2::text[]) WITH ORDINALITY AS u(c, k, n)
        ORDER BY n
    )
    FROM {on.table} r
    WHERE r.{on.column} = t.id AND r.user_id = $1
    """


async def uncount_all_of(conn: asyncpg.Connection, user_id: int) -> None:
    """Take a person's reactions out of the counts of every post and comment they reacted to
    (their account is about to go, and its rows with it by cascade)."""
    for on in (POSTS, COMMENTS):
        await conn.execute(_uncount(on), user_id, list(REACTION_KINDS))


def _reactors(on: Reacted) -> str:
    # Most recent first, without the people in a block with the viewer ($5); the cursor is a
    # person's user id, and the page continues after that person's reaction (as the followers
    # list does).
    return f"""
    SELECT u.id, u.first_name, u.last_name, u.nickname, u.avatar_id, r.kind
    FROM {on.table} r JOIN users u ON u.id = r.user_id
    WHERE r.{on.column} = $1 AND ($2::text IS NULL OR r.kind = $2)
      AND NOT {visibility.blocks_between("u.id", "$5")}
      AND ($3::bigint IS NULL OR (r.created_at, r.user_id) < (
          SELECT created_at, user_id FROM {on.table} WHERE {on.column} = $1 AND user_id = $3
      ))
    ORDER BY r.created_at DESC, r.user_id DESC
    LIMIT $4
    """


REACTORS = {on: _reactors(on) for on in (POSTS, COMMENTS)}


async def select_reactors(
    conn: asyncpg.Connection,
    on: Reacted,
    target_id: int,
    viewer_id: int,
    kind: str | None,
    before: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await conn.fetch(REACTORS[on], target_id, kind, before, limit, viewer_id)
