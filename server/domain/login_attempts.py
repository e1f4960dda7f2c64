"""The login limit per account (SPEC.md, Rate limits): 10 failed logins of an email within 15
minutes, and that email's logins answer 429 until the window passes, even with the right
password. It is a security control, so it holds across processes and hosts: the failures are
counted in Postgres (server/db/login_failures.py), one write per failed login and a read per
login, never a write per request. It is always on (SOCIALNET_RATE_LIMITS does not reach it),
and it counts emails that belong to no account alike, so a 429 says nothing about who exists.

Checking and counting are two steps around a password check of tens of milliseconds: a burst
of guesses sent at once would all pass the check before the first failure is counted. So each
process lets one attempt per email through at a time (`LoginAttempts.one_at_a_time`); across N
processes a burst gets at most N - 1 guesses past the limit.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
import trio

from server.db import login_failures
from server.errors import RateLimited

FAILURES_ALLOWED = 10
WINDOW = timedelta(minutes=15)
LOCKED_MESSAGE = "Too many failed logins for this email; try again later."


async def check(conn: asyncpg.Connection, email: str, now: datetime) -> None:
    """Raise RateLimited while the email's window holds its allowed failures."""
    window = await login_failures.select_window(conn, email, now, WINDOW)
    if window is not None and window[1] >= FAILURES_ALLOWED:
        start, _ = window
        raise RateLimited((start + WINDOW - now).total_seconds(), LOCKED_MESSAGE)


async def record_failure(conn: asyncpg.Connection, email: str, now: datetime) -> None:
    await login_failures.record_failure(conn, email, now, WINDOW)


async def forget_past(conn: asyncpg.Connection, now: datetime) -> int:
    """Delete the windows that have ended; how many."""
    return await login_failures.delete_past_windows(conn, now, WINDOW)


class LoginAttempts:
    """This process's side of the limit: the clock, and one attempt per email at a time."""

    def __init__(self, *, clock: Callable[[], float] = time.time):
        self._clock = clock
        # Lowercased email -> [lock, attempts holding or waiting for it]; gone when unused.
        self._busy: dict[str, list] = {}

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    @asynccontextmanager
    async def one_at_a_time(self, email: str) -> AsyncIterator[None]:
        key = email.lower()
        entry = self._busy.get(key)
        if entry is None:
            entry = self._busy[key] = [trio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._busy[key]
