"""Failed logins per account: one row per email with a recent failure (its window's start and
the failures counted in it). Written once per failed login, never per request.

The row's key is the SHA-256 of the email lowercased by Postgres's own `lower()`, the one that
matches an email to its account (server/db/users.py), so no spelling of an email that reaches
an account can escape its count."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

EMAIL_HASH = "sha256(convert_to(lower($1), 'UTF8'))"

SELECT_WINDOW = f"""
SELECT window_start, failures FROM login_failures
WHERE email_hash = {EMAIL_HASH} AND window_start > $2::timestamptz - $3::interval
"""


async def select_window(
    conn: asyncpg.Connection, email: str, now: datetime, window: timedelta
) -> tuple[datetime, int] | None:
    """(start, failures) of the email's window still open at `now`, or None."""
    record = await conn.fetchrow(SELECT_WINDOW, email, now, window)
    return (record["window_start"], record["failures"]) if record is not None else None


# One statement, so failures counted by two processes at once both count: a window past its
# end starts over at this failure.
RECORD_FAILURE = f"""
INSERT INTO login_failures AS f (email_hash, window_start, failures) VALUES ({EMAIL_HASH}, $2, 1)
ON CONFLICT (email_hash) DO UPDATE SET
    window_start = CASE WHEN f.window_start > $2::timestamptz - $3::interval
                        THEN f.window_start ELSE $2 END,
    failures = CASE WHEN f.window_start > $2::timestamptz - $3::interval
                    THEN f.failures + 1 ELSE 1 END
"""


async def record_failure(
    conn: asyncpg.Connection, email: str, now: datetime, window: timedelta
) -> None:
    await conn.execute(RECORD_FAILURE, email, now, window)


DELETE_PAST = "DELETE FROM login_failures WHERE window_start <= $1::timestamptz - $2::interval"


async def delete_past_windows(conn: asyncpg.Connection, now: datetime, window: timedelta) -> int:
    """Forget windows that have ended; how many rows were deleted."""
    status = await conn.execute(DELETE_PAST, now, window)
    return int(status.split()[-1])
