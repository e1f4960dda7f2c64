"""`socialnet seed`: bulk-fill the database for load runs.

Users are `<prefix><n>@load.test` with one password for all (hashed once, not per user), each
logged in with a fresh session whose token is written to a sessions file for `socialnet load`.
Users 2k and 2k+1 follow each other (the `direct` scenario's pairs); every user is a member of
the first group (the `group` scenario's room); posts are spread over the authors, mostly public,
each a few words from a made-up vocabulary (for full-text search).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import asyncpg

from loadtest.sessions_file import PASSWORD
from server.db import sessions
from server.domain import passwords

EMAIL_DOMAIN = "load.test"


@dataclass(frozen=True)
class SeedPlan:
    users: int
    posts: int = 0
    groups: int = 1
    prefix: str = "load"


# Post bodies are words drawn from a vocabulary of made-up ones, so that a full-text search
# finds what a real one would: a word is in about one post in a few hundred.
SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "sa", "vo", "ne", "di", "pra", "gor", "el")
VOCABULARY = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:10]]
WORDS_PER_POST = 8


def post_body(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(WORDS_PER_POST))


def email_of(prefix: str, n: int) -> str:
    return f"{prefix}{n}@{EMAIL_DOMAIN}"


async def seed(conn: asyncpg.Connection, plan: SeedPlan, password_hash: str) -> list[dict]:
    """Insert everything in one transaction; return [{user_id, email, token}] in order."""
    emails = [email_of(plan.prefix, n) for n in range(plan.users)]
    async with conn.transaction():
        await conn.execute(
            """
            INSERT INTO users (email, password_hash, first_name, last_name, date_of_birth,
                               is_public)
            SELECT e, $2, 'Load', 'User ' || n, DATE '1990-01-01', true
            FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n)
            ON CONFLICT DO NOTHING
            """,
            emails,
            password_hash,
        )
        rows = await conn.fetch(
            "SELECT id, email FROM users WHERE lower(email) = ANY($1::text[])", emails
        )
        by_email = {row["email"]: row["id"] for row in rows}
        ids = [by_email[email] for email in emails]

        followers, followees = [], []
        for a, b in zip(ids[0::2], ids[1::2], strict=False):
            followers += [a, b]
            followees += [b, a]
        await conn.execute(
            """
            INSERT INTO follows (follower_id, followee_id)
            SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING
            """,
            followers,
            followees,
        )

        if ids and plan.groups:
            room = await conn.fetchval(
                "INSERT INTO groups (title, description, creator_id)"
                " VALUES ('Load room', 'Everyone in the load run', $1) RETURNING id",
                ids[0],
            )
            await conn.execute(
                "INSERT INTO group_members (group_id, user_id)"
                " SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
                room,
                ids,
            )
            for g in range(1, plan.groups):
                await conn.execute(
                    "INSERT INTO groups (title, description, creator_id)"
                    " VALUES ($1, 'A load group', $2)",
                    f"Load group {g}",
                    ids[g % len(ids)],
                )

        if ids and plan.posts:
            rng = random.Random(7)
            authors = [ids[n % len(ids)] for n in range(plan.posts)]
            privacies = [
                "public" if rng.random() < 0.7 else "almost_private" for _ in range(plan.posts)
            ]
            bodies = [post_body(rng) for _ in range(plan.posts)]
            await conn.execute(
                """
                INSERT INTO posts (author_id, body, privacy)
                SELECT a, 'Load post ' || n || ': ' || b, p
                FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS t(a, p, b, n)
                """,
                authors,
                privacies,
                bodies,
            )

        tokens = [sessions.new_token() for _ in ids]
        await conn.execute(
            """
            INSERT INTO sessions (token_hash, user_id, expires_at)
            SELECT h, u, now() + $3::interval
            FROM unnest($1::bytea[], $2::bigint[]) AS t(h, u)
            """,
            [sessions.token_hash(token) for token in tokens],
            ids,
            sessions.SESSION_LIFETIME,
        )
    return [
        {"user_id": user_id, "email": email, "token": token}
        for user_id, email, token in zip(ids, emails, tokens, strict=True)
    ]


async def run_seed(database_url: str, plan: SeedPlan) -> list[dict]:
    """Asyncio side: connect, seed, disconnect."""
    password_hash = passwords.hash_password(PASSWORD)  # once, for every user
    conn = await asyncpg.connect(database_url)
    try:
        return await seed(conn, plan, password_hash)
    finally:
        await conn.close()
