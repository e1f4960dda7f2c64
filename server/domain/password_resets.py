"""Password reset by email (SPEC.md, Accounts and sessions).

Asking answers the same whether the email is registered or not, and takes the same time: the
request only queues the address (a bounded channel), and a task of the service nursery looks it
up, stores a token's hash and queues the mail (server/mail.py). The mailed link is
`<public URL>/reset-password?token=<token>`: single use, valid for an hour. Using it sets the new
password, spends every other outstanding token of the user and ends every session.
"""

from __future__ import annotations

import html
import logging
from typing import NoReturn
from urllib.parse import urlencode

import asyncpg
import trio

from server.db import password_resets as rows
from server.db import users
from server.domain import passwords
from server.domain.inputs import Check, Fields
from server.domain.sessions import MAX_TOKEN_LENGTH, Sessions, end_sessions_of
from server.errors import Unavailable, ValidationError
from server.mail import Mail, Mailer

log = logging.getLogger("socialnet.password_resets")

# Reset requests waiting for the task that looks them up. The route is rate-limited per address
# (5 per 30 minutes); a full queue means the database is away or a flood is on, and a request
# that does not fit is dropped (logged) while its asker gets the same 204.
RESET_QUEUE_SIZE = 100
INVALID_TOKEN = "This link is not valid, has expired or was already used. Ask for a new one."


def reset_link(site_url: str, token: str) -> str:
    return f"{site_url}/reset-password?{urlencode({'token': token})}"


def compose(to: str, first_name: str, link: str) -> Mail:
    text = (
        f"Hello {first_name},\n\n"
        "Someone, hopefully you, asked to reset the password of your socialnet account.\n"
        "Open this link within an hour to choose a new one:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask, ignore this mail: your password stays as it is.\n"
    )
    name, href = html.escape(first_name), html.escape(link, quote=True)
    body = (
        "<!doctype html><html><body>"
        f"<p>Hello {name},</p>"
        "<p>Someone, hopefully you, asked to reset the password of your socialnet account. "
        "Open this link within an hour to choose a new one:</p>"
        f'<p><a href="{href}">Choose a new password</a></p>'
        f"<p>Or copy this address into your browser: {href}</p>"
        "<p>The link works once. If you did not ask, ignore this mail: your password stays as "
        "it is.</p></body></html>"
    )
    return Mail(to=to, subject="Reset your socialnet password", text=text, html=body)


async def _issue(conn: asyncpg.Connection, email: str) -> tuple[str, str, str] | None:
    """(address, first name, token) when the email is registered, else None."""
    await rows.delete_old(conn)
    found = await users.select_credentials(conn, email)
    if found is None:
        return None
    user = await users.select_user(conn, found.id)
    return user.email, user.first_name, await rows.insert_reset(conn, found.id)


def _token(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TOKEN_LENGTH:
        raise ValidationError(fields={"token": INVALID_TOKEN})
    return value


# POST /api/auth/password-reset/confirm: {token, new_password}, every problem at once.
CONFIRMATION = Fields(
    token=Check(_token, {"type": "string", "minLength": 1, "maxLength": MAX_TOKEN_LENGTH}),
    new_password=Check(
        lambda value: passwords.check_new_password(value, field="new_password"),
        {
            "type": "string",
            "minLength": passwords.MIN_PASSWORD_LENGTH,
            "maxLength": passwords.MAX_PASSWORD_LENGTH,
        },
    ),
)


async def _is_usable(conn: asyncpg.Connection, token: str) -> bool:
    async with conn.transaction():
        return await rows.select_usable(conn, token) is not None


async def _reset(conn: asyncpg.Connection, token: str, password_hash: str) -> int:
    found = await rows.select_usable(conn, token)
    if found is None:
        raise ValidationError(fields={"token": INVALID_TOKEN})
    _, user_id = found
    await users.update_password_hash(conn, user_id, password_hash)
    await rows.use_all_of(conn, user_id)
    await end_sessions_of(conn, user_id, keep=None)
    return user_id


class PasswordResets:
    """Reset requests (queued; `run` is their task in the service nursery) and confirmations."""

    def __init__(self, sessions: Sessions, mailer: Mailer, site_url: str):
        self.sessions = sessions
        self.mailer = mailer
        self.site_url = site_url
        self._send, self._receive = trio.open_memory_channel[str](RESET_QUEUE_SIZE)

    def request_nowait(self, email: str) -> None:
        """Queue a reset for an email (checked by accounts.EMAIL; an unknown one is queued like
        any other: the answer says nothing about the account)."""
        try:
            self._send.send_nowait(email)
        except trio.WouldBlock:
            log.error("password-reset queue full; a request is dropped")

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        task_status.started()
        async for email in self._receive:
            try:
                issued = await self.sessions.db.transaction(_issue, email)
            except Unavailable:
                log.warning("could not issue a password reset: the database is away")
                continue
            if issued is not None:
                to, first_name, token = issued
                self.mailer.send_nowait(compose(to, first_name, reset_link(self.site_url, token)))
        raise AssertionError("the reset queue never closes")

    async def confirm(self, token: str, password: str) -> None:
        """Set the new password with a usable token (CONFIRMATION checked both); every
        session of the user ends."""
        # Checked before the hashing costs a thread its tens of milliseconds, and again, locked,
        # in the transaction that spends it.
        if not await self.sessions.db.run(_is_usable, token):
            raise ValidationError(fields={"token": INVALID_TOKEN})
        password_hash = await trio.to_thread.run_sync(passwords.hash_password, password)
        user_id = await self.sessions.db.transaction(_reset, token, password_hash)
        self.sessions.forget_user(user_id)
