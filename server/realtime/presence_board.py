"""Who has sockets open, across every process, as one router knows it.

Counts are kept per process: each process's deltas (a socket opened, +1; closed, -1) move its
own counts, and each process's snapshot (every socket it holds, published now and then and when
asked) replaces them wholesale. So the counts cannot drift for long: whatever a lost bus
connection or a race between a delta and a snapshot got wrong, the next snapshot sets right,
and a process that died (heard from no more) is forgotten after `expire`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class PresenceBoard:
    def __init__(self) -> None:
        self._by_process: dict[str, Counter[int]] = {}
        self._heard: dict[str, float] = {}
        self._totals: Counter[int] = Counter()

    def is_online(self, user_id: int) -> bool:
        return self._totals[user_id] > 0

    def change(self, process: str, user_id: int, delta: int, now: float) -> bool:
        """Apply one process's delta; True when the user came online or went offline."""
        before = self.is_online(user_id)
        counts = self._by_process.setdefault(process, Counter())
        after_here = max(0, counts[user_id] + delta)
        self._totals[user_id] += after_here - counts[user_id]
        counts[user_id] = after_here
        self._tidy(counts, (user_id,))
        self._heard[process] = now
        return before != self.is_online(user_id)

    def snapshot(self, process: str, users: Iterable[int], now: float) -> None:
        """Replace what is known of one process with its own account of its sockets."""
        new = Counter(users)
        old = self._by_process.get(process, Counter())
        for user_id in set(old) | set(new):
            self._totals[user_id] += new[user_id] - old[user_id]
        self._by_process[process] = new
        self._tidy(new, set(old) | set(new))
        self._heard[process] = now

    def expire(self, now: float, silent_for: float) -> list[str]:
        """Forget the processes not heard from for `silent_for` seconds (they died); which."""
        gone = [process for process, heard in self._heard.items() if now - heard > silent_for]
        for process in gone:
            self.snapshot(process, (), now)
            del self._by_process[process], self._heard[process]
        return gone

    def clear(self) -> None:
        self._by_process.clear()
        self._heard.clear()
        self._totals.clear()

    def _tidy(self, counts: Counter[int], user_ids: Iterable[int]) -> None:
        for user_id in user_ids:
            if counts[user_id] <= 0:
                del counts[user_id]
            if self._totals[user_id] <= 0:
                del self._totals[user_id]
