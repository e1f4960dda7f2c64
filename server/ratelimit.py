"""Budgets of requests in a sliding window, kept in this process's memory (SPEC.md, Rate limits).

Each budget allows `limit` hits per key in any `seconds`: the times of the hits within the
window are kept per key, so the answer is exact and a refusal knows when the oldest hit leaves
the window (the `Retry-After`). Memory stays bounded: a key whose hits have all left the window
is dropped as others are used, and past `max_keys` keys the least recently used one is forgotten
(an attacker who rotates addresses spends them on itself, and a forgotten key only starts over).

Written here rather than taken from `limits` (PyPI): its in-memory storage starts a thread
timer to expire entries, reads `time.time()` with no way to give it another clock (so a test
would have to wait out a window), and keeps an object per hit; this is a list of floats per key.

The login limit per account is not here: it must hold across processes, so it lives in Postgres
(server/domain/login_attempts.py).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from server.config import Config
from server.errors import RateLimited

Clock = Callable[[], float]
MINUTE = 60.0
# Keys remembered per budget; at a few hundred bytes a key, a few tens of MB at worst.
MAX_KEYS = 100_000
# Idle keys dropped per hit: enough to keep up with the keys that hits add.
SWEEP_PER_HIT = 2


@dataclass(frozen=True, slots=True)
class Budget:
    limit: int
    seconds: float

    def share(self, parts: int) -> Budget:
        """This budget split among `parts` processes that keep their counts apart, so that
        together they never allow more than the whole (each gets at least one)."""
        return Budget(max(1, self.limit // max(1, parts)), self.seconds)


# SPEC.md's budgets per client address, for the whole server.
LOGIN = Budget(25, 5 * MINUTE)
REGISTER = Budget(5, 30 * MINUTE)
PASSWORD_RESET = Budget(5, 30 * MINUTE)  # asking for a reset mail
UPLOAD = Budget(30, 30 * MINUTE)  # a request that carries a file
WRITE = Budget(300, 5 * MINUTE)  # every other unsafe request
# Chat messages per user (WebSocket and HTTP sends alike): far above anyone typing, and a
# client's queue of unsent messages after a reconnect fits in one burst.
CHAT_SENDS = Budget(30, 10.0)
CHAT_MESSAGE = "You are sending messages too fast; wait a moment."


class SlidingWindow:
    """At most `budget.limit` hits per key in any `budget.seconds`."""

    def __init__(self, budget: Budget, *, clock: Clock = time.time, max_keys: int = MAX_KEYS):
        self.budget = budget
        self._clock = clock
        self._max_keys = max_keys
        # key -> times of its hits within the window, oldest first; least recently used first.
        self._hits: dict[Hashable, list[float]] = {}

    def __len__(self) -> int:
        return len(self._hits)

    def hit(self, key: Hashable) -> float:
        """Count a hit when the budget allows it and return 0; else count nothing and return
        the seconds until it would be allowed."""
        now = self._clock()
        times = self._current(key, now)
        self._sweep(now)
        if len(times) >= self.budget.limit:
            self._hits[key] = times
            return times[-self.budget.limit] + self.budget.seconds - now
        times.append(now)
        self._hits[key] = times
        if len(self._hits) > self._max_keys:
            del self._hits[next(iter(self._hits))]
        return 0.0

    def wait(self, key: Hashable) -> float:
        """The seconds until a hit of `key` would be allowed (0 now), counting nothing."""
        now = self._clock()
        times = self._hits.get(key, ())
        within = len(times) - bisect.bisect_right(times, now - self.budget.seconds)
        if within < self.budget.limit:
            return 0.0
        return times[-self.budget.limit] + self.budget.seconds - now

    def _current(self, key: Hashable, now: float) -> list[float]:
        """The key's hits still within the window; the key moves to the most recent end."""
        times = self._hits.pop(key, None)
        if times is None:
            return []
        del times[: bisect.bisect_right(times, now - self.budget.seconds)]
        return times

    def _sweep(self, now: float) -> None:
        """Drop the least recently used keys whose every hit has left the window."""
        horizon = now - self.budget.seconds
        for _ in range(SWEEP_PER_HIT):
            oldest = next(iter(self._hits), None)
            if oldest is None or self._hits[oldest][-1] > horizon:
                return
            del self._hits[oldest]


class RateLimits:
    """The per-process budgets: other writes per client address (HTTP), and chat sends per
    user. (The small per-address budgets are counted in Postgres, for every process together:
    server/domain/address_budgets.py.)

    With several worker processes on one port (server/workers.py) each keeps its own counts, so
    each gets its share of every budget, and the server as a whole never allows more than
    SPEC.md says. A client whose requests all reach one worker (one keep-alive connection) gets
    only that worker's share: of budgets this large (300 writes per 5 minutes, 30 chat sends per
    10 s) a share is still far above what a person does. Off (`config.rate_limits`), nothing here
    refuses anything.
    """

    def __init__(self, config: Config, *, clock: Clock = time.time):
        self.enabled = config.rate_limits
        self.clock = clock
        self.trusted_proxies = config.trusted_proxies
        workers = config.workers

        def window(budget: Budget) -> SlidingWindow:
            return SlidingWindow(budget.share(workers), clock=clock)

        self.write = window(WRITE)
        self.chat = window(CHAT_SENDS)

    def hit(self, window: SlidingWindow, key: Hashable) -> float:
        """`window.hit(key)`, or 0 when rate limits are off."""
        return window.hit(key) if self.enabled else 0.0

    def wait(self, window: SlidingWindow, key: Hashable) -> float:
        return window.wait(key) if self.enabled else 0.0

    def charge_chat_send(self, user_id: int) -> None:
        """Spend one of the user's chat sends, or raise RateLimited: the WebSocket answers it
        with a `chat.error` for that message, HTTP with a 429."""
        if wait := self.hit(self.chat, user_id):
            raise RateLimited(wait, CHAT_MESSAGE)
