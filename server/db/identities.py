"""External sign-in: identities (provider, subject) -> user, and sign-ins on their way."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from server.db.rows import from_record, frozen
from server.db.sessions import token_hash

LOGIN_LIFETIME = timedelta(minutes=10)


@frozen
class PendingLogin:
    provider: str
    nonce: str
    code_verifier: str
    next_path: str


INSERT_LOGIN = """
INSERT INTO oidc_logins (state_hash, provider, nonce, code_verifier, next_path, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + $6::interval)
"""


async def insert_login(
    conn: asyncpg.Connection,
    *,
    state: str,
    provider: str,
    nonce: str,
    code_verifier: str,
    next_path: str,
) -> None:
    await conn.execute("DELETE FROM oidc_logins WHERE expires_at <= now()")
    await conn.execute(
        INSERT_LOGIN, token_hash(state), provider, nonce, code_verifier, next_path, LOGIN_LIFETIME
    )


# Single use: the row is deleted as it is read.
TAKE_LOGIN = """
DELETE FROM oidc_logins WHERE state_hash = $1
RETURNING provider, nonce, code_verifier, next_path, expires_at > now() AS live
"""


async def take_login(conn: asyncpg.Connection, state: str) -> PendingLogin | None:
    """The sign-in the state names, if it is still live; it cannot be used again."""
    record = await conn.fetchrow(TAKE_LOGIN, token_hash(state))
    if record is None or not record["live"]:
        return None
    return from_record(PendingLogin, record)


async def user_of(conn: asyncpg.Connection, provider: str, subject: str) -> int | None:
    return await conn.fetchval(
        "SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2",
        provider,
        subject,
    )


async def insert_identity(
    conn: asyncpg.Connection, provider: str, subject: str, user_id: int, email: str | None
) -> None:
    await conn.execute(
        "INSERT INTO user_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)",
        provider,
        subject,
        user_id,
        email,
    )
