"""Sessions (SPEC.md, Accounts and sessions), one home for the whole concept: the cookie that
carries the token, the short-lived cache of live sessions, logging in and out, and the session
of an opening WebSocket. The rows themselves and their token hashing are server/db/sessions.py.

A session is a row; the browser holds a random token in the `sid` cookie (HttpOnly,
SameSite=Lax, Path=/, Secure when configured). Expiry slides forward at most once an hour, so a
request costs no write. Every request used to spend a database round trip on its session: a
session seen live is now trusted for `CACHE_SECONDS` per process, after which the database
decides again (which also keeps the sliding expiry moving). An ended session is forgotten at
once by the process that ended it and, through the bus event that closes its sockets, by
every other process.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import NoReturn

import asyncpg
import trio
from werkzeug.http import parse_cookie

from server import periodic
from server.db import sessions as rows
from server.db import users
from server.db.database import Database, emit
from server.db.users import User
from server.domain import login_attempts, passwords, user_agents
from server.domain.inputs import unusable_character
from server.domain.login_attempts import LoginAttempts
from server.errors import InvalidCredentials, NotFound, Unavailable
from server.events import SessionEnded, SessionsEnded

log = logging.getLogger("socialnet.sessions")

COOKIE_NAME = "sid"
COOKIE_MAX_AGE = int(rows.SESSION_LIFETIME.total_seconds())
# Longer than any token we issue: a bound on what an unknown cookie can make us hash and look up.
MAX_TOKEN_LENGTH = 128
CACHE_SECONDS = 15.0
MAX_CACHED = 100_000
# Expired rows are deleted this often (a row past its expiry is already refused).
PURGE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    user_id: int
    # The expiry slid forward on this request: the cookie should slide too.
    refreshed: bool = False


def token_from_cookies(cookies: Mapping[str, str]) -> str | None:
    """The session token among parsed cookies, if it can be one."""
    token = cookies.get(COOKIE_NAME)
    return token if token and len(token) <= MAX_TOKEN_LENGTH else None


def token_from_cookie_header(header: str) -> str | None:
    """The session token in a raw Cookie header (the WebSocket upgrade's), parsed as Quart
    parses HTTP requests' cookies (werkzeug), so that a cookie the two would read differently
    cannot sign someone in over HTTP and out of the socket."""
    return token_from_cookies(parse_cookie(header))


def cookie_attributes(*, secure: bool) -> dict:
    """The attributes of the `sid` cookie, for setting and for clearing it alike."""
    return {"path": "/", "httponly": True, "samesite": "Lax", "secure": secure}


class SessionCache:
    """Sessions seen live in this process lately, by a digest of their token."""

    def __init__(self) -> None:
        # token digest -> (session, trusted until)
        self._entries: dict[bytes, tuple[Session, float]] = {}
        self._by_session: dict[int, bytes] = {}
        self._sessions_of: dict[int, set[int]] = {}

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.blake2b(token.encode(), digest_size=16).digest()

    def get(self, token: str) -> Session | None:
        entry = self._entries.get(self._key(token))
        if entry is None or entry[1] < trio.current_time():
            return None
        return entry[0]

    def put(self, token: str, session: Session) -> None:
        if len(self._entries) >= MAX_CACHED:
            self._entries.clear()
            self._by_session.clear()
            self._sessions_of.clear()
        key = self._key(token)
        cached = Session(session.id, session.user_id)
        self._entries[key] = (cached, trio.current_time() + CACHE_SECONDS)
        self._by_session[session.id] = key
        self._sessions_of.setdefault(session.user_id, set()).add(session.id)

    def forget(self, session_id: int) -> None:
        key = self._by_session.pop(session_id, None)
        if key is not None:
            entry = self._entries.pop(key, None)
            if entry is not None:
                ids = self._sessions_of.get(entry[0].user_id)
                if ids is not None:
                    ids.discard(session_id)
                    if not ids:
                        del self._sessions_of[entry[0].user_id]

    def forget_user(self, user_id: int, keep: int | None = None) -> None:
        """Forget every session of `user_id` but `keep`."""
        for session_id in tuple(self._sessions_of.get(user_id, ())):
            if session_id != keep:
                self.forget(session_id)


async def _end(conn: asyncpg.Connection, session_id: int) -> None:
    await rows.delete_session(conn, session_id)
    # Every process closes this session's sockets (and forgets it) once the deletion commits.
    emit(conn, SessionEnded(session_id))


async def end_session_in(conn: asyncpg.Connection, session_id: int) -> None:
    """End one session inside the caller's transaction (a new sign-in replacing it)."""
    await _end(conn, session_id)


async def end_sessions_of(conn: asyncpg.Connection, user_id: int, *, keep: int | None) -> None:
    """End every session of `user_id` but `keep` (None: all of them), inside the caller's
    transaction; every process closes their sockets and forgets them once it commits."""
    await rows.delete_sessions_of(conn, user_id, keep)
    emit(conn, SessionsEnded(user_id, keep))


async def _find_credentials(
    conn: asyncpg.Connection, email: str, replacing: int | None, now: datetime
):
    # A locked email is refused before anything changes: the browser's session stays.
    await login_attempts.check(conn, email, now)
    if replacing is not None:
        await _end(conn, replacing)
    return await users.select_credentials(conn, email)


async def _open(
    conn: asyncpg.Connection, user_id: int, new_hash: str | None, user_agent: str | None
):
    if new_hash is not None:
        await users.update_password_hash(conn, user_id, new_hash)
    token = await rows.insert_session(conn, user_id, user_agent)
    return await users.select_user(conn, user_id), token


def _storable(user_agent: str | None) -> str | None:
    return None if user_agent is None or unusable_character(user_agent) else user_agent


async def open_session(conn: asyncpg.Connection, user_id: int, user_agent: str | None) -> str:
    """A new session for `user_id` inside the caller's transaction (registration); its token.
    `user_agent` is the browser's User-Agent header, kept for the sessions page."""
    return await rows.insert_session(conn, user_id, _storable(user_agent))


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One line of the sessions page."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str  # "Chrome on Linux"
    current: bool


async def list_sessions(conn: asyncpg.Connection, session: Session) -> list[SessionInfo]:
    """The viewer's live sessions, the most recently used first."""
    return [
        SessionInfo(
            row.id,
            row.created_at,
            row.last_seen_at,
            user_agents.describe(row.user_agent),
            row.id == session.id,
        )
        for row in await rows.select_sessions_of(conn, session.user_id)
    ]


async def _end_own(conn: asyncpg.Connection, user_id: int, session_id: int) -> None:
    if not await rows.delete_session_of(conn, session_id, user_id):
        raise NotFound("No such session.")
    emit(conn, SessionEnded(session_id))


class Sessions:
    """The sessions of this process: authenticate, log in, log out, purge."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time):
        self.db = db
        self.cache = SessionCache()
        self.attempts = LoginAttempts(clock=clock)

    async def authenticate(self, token: str | None) -> Session | None:
        """The live session `token` names, or None."""
        if token is None:
            return None
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        found = await self.db.run(rows.touch_session, token)
        if found is None:
            return None
        session = Session(*found)
        self.cache.put(token, session)
        return session

    def forget(self, session_id: int) -> None:
        self.cache.forget(session_id)

    def forget_user(self, user_id: int, keep: int | None = None) -> None:
        self.cache.forget_user(user_id, keep)

    async def end_session(self, session: Session, session_id: int) -> None:
        """End one of the viewer's sessions (any one, this one too); another user's or an
        unknown id is NotFound."""
        await self.db.transaction(_end_own, session.user_id, session_id)
        self.forget(session_id)

    async def end_other_sessions(self, session: Session) -> None:
        """End every session of the viewer but this one."""
        await self.db.transaction(partial(end_sessions_of, keep=session.id), session.user_id)
        self.forget_user(session.user_id, keep=session.id)

    async def log_in(
        self, email: str, password: str, *, replacing: int | None, user_agent: str | None = None
    ) -> tuple[User, str]:
        """Check the password (in a worker thread: Argon2id costs tens of milliseconds) and
        open a new session; the browser's previous session, `replacing`, ends either way,
        unless the email is locked by its failed logins (RateLimited, server/domain/
        login_attempts.py), which is answered before the password is looked at. Wrong email
        and wrong password are the same error and take the same time."""
        email = email.strip()
        async with self.attempts.one_at_a_time(email):
            if replacing is not None:
                self.forget(replacing)
            found = await self.db.transaction(
                _find_credentials, email, replacing, self.attempts.now()
            )
            hashed = found.password_hash if found else None
            if len(password) > passwords.MAX_PASSWORD_LENGTH or not await trio.to_thread.run_sync(
                passwords.verify_password, hashed, password
            ):
                await self.db.transaction(login_attempts.record_failure, email, self.attempts.now())
                raise InvalidCredentials()
        new_hash = None
        if passwords.needs_rehash(hashed):
            new_hash = await trio.to_thread.run_sync(passwords.hash_password, password)
        return await self.db.transaction(_open, found.id, new_hash, _storable(user_agent))

    async def log_out(self, session_id: int) -> None:
        """End a session: its row, this process's memory of it, and its sockets everywhere."""
        self.forget(session_id)
        await self.db.transaction(_end, session_id)

    async def purge_expired(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        """Delete expired sessions and ended login-failure windows at start (ready once done)
        and then every hour."""
        await periodic.every(PURGE_EVERY_SECONDS, self._purge_once, task_status=task_status)

    async def _purge_once(self) -> None:
        try:
            purged = await self.db.run(rows.delete_expired_sessions)
            await self.db.run(login_attempts.forget_past, self.attempts.now())
        except Unavailable:
            log.warning("could not purge expired sessions: the database is away")
        else:
            if purged:
                log.info("purged %d expired sessions", purged)
