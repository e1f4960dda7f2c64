"""A short-lived, per-process memory of live sessions.

Every authenticated request used to spend a database round trip on its session. Here a session
seen live is trusted for a few seconds; the database still decides every `CACHE_SECONDS`, which
also keeps the sliding expiry moving. A logout forgets the session at once in its own process
and, through the bus event that closes its sockets, in every other process.
"""

from __future__ import annotations

import hashlib

import trio

CACHE_SECONDS = 15.0
MAX_ENTRIES = 100_000


class SessionCache:
    def __init__(self) -> None:
        # token digest -> (session id, user id, trusted until)
        self._entries: dict[bytes, tuple[int, int, float]] = {}
        self._by_session: dict[int, bytes] = {}

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.blake2b(token.encode(), digest_size=16).digest()

    def get(self, token: str) -> tuple[int, int] | None:
        entry = self._entries.get(self._key(token))
        if entry is None or entry[2] < trio.current_time():
            return None
        return entry[0], entry[1]

    def put(self, token: str, session_id: int, user_id: int) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
            self._by_session.clear()
        key = self._key(token)
        self._entries[key] = (session_id, user_id, trio.current_time() + CACHE_SECONDS)
        self._by_session[session_id] = key

    def forget(self, session_id: int) -> None:
        key = self._by_session.pop(session_id, None)
        if key is not None:
            self._entries.pop(key, None)
