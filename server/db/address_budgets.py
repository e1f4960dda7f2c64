"""Hits of the small budgets per client address: one row per budget and client, holding the
times of its hits within the window. A hit is decided under a transaction-scoped advisory lock
on its row's key, so two processes hitting at once are counted one after the other (exact)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0))"

RECENT_HITS = """
SELECT ARRAY(SELECT h FROM unnest(hits) AS h WHERE h > $3::timestamptz - $4::interval ORDER BY h)
FROM address_budgets WHERE budget = $1 AND client = $2
"""

SAVE_HITS = """
INSERT INTO address_budgets (budget, client, hits) VALUES ($1, $2, $3)
ON CONFLICT (budget, client) DO UPDATE SET hits = excluded.hits
"""


async def hit(
    conn: asyncpg.Connection, budget: str, client: str, now: datetime, window: timedelta, limit: int
) -> datetime | None:
    """Inside the caller's transaction: count a hit when fewer than `limit` fall within the
    window and return None; else count nothing and return the oldest hit still counted (the
    window frees a place when it leaves)."""
    await conn.execute(LOCK, budget, client)
    hits = await conn.fetchval(RECENT_HITS, budget, client, now, window) or []
    if len(hits) >= limit:
        return hits[-limit]
    await conn.execute(SAVE_HITS, budget, client, [*hits, now])
    return None


DELETE_PAST = """
DELETE FROM address_budgets
WHERE (SELECT max(h) FROM unnest(hits) AS h) <= $1::timestamptz - $2::interval
"""


async def delete_idle(conn: asyncpg.Connection, now: datetime, longest_window: timedelta) -> int:
    """Forget the rows whose every hit has left the longest window; how many."""
    status = await conn.execute(DELETE_PAST, now, longest_window)
    return int(status.split()[-1])
