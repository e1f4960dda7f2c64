"""The rules of server/db/visibility.py in SQL and in memory agree on every case.

The realtime router decides who hears of a post from what it holds in memory; the HTTP reads
decide with SQL. A world of every relation between a viewer and an author (following or not,
a block either way or none, a public or private profile, the author themself) and every kind
of post (each privacy, picked or not, in a shared group or another) is built in Postgres; for
each viewer and post, the SQL answer (post and comment visibility, Home, Explore, the profile
list) must equal the in-memory one.
"""

from __future__ import annotations

import itertools

from server.db import posts, profiles, users, visibility
from server.db.visibility import PostFacts

RELATIONS = list(
    itertools.product(
        (False, True),  # the viewer follows the author
        (None, "viewer", "author"),  # who blocked whom
        (True, False),  # the author's profile is public
    )
)


async def _user(conn, name: str, *, is_public: bool = True) -> int:
    return await conn.fetchval(
        """
        INSERT INTO users (email, password_hash, first_name, last_name, date_of_birth, is_public)
        VALUES ($1, 'x', $1, 'Example', DATE '1990-01-01', $2) RETURNING id
        """,
        f"{name}@example.com",
        is_public,
    )


async def _post(conn, author: int, privacy: str, group: int | None, picked=()) -> int:
    return await posts.insert_post(
        conn,
        author_id=author,
        group_id=group,
        body="x",
        media_id=None,
        privacy=privacy,
        viewer_ids=list(picked),
    )


async def _group(conn, members: list[int]) -> int:
    group = await conn.fetchval(
        "INSERT INTO groups (title, description, creator_id) VALUES ('g', 'd', $1) RETURNING id",
        members[0],
    )
    await conn.execute(
        "INSERT INTO group_members (group_id, user_id) SELECT $1, unnest($2::bigint[])",
        group,
        members,
    )
    return group


async def build_world(conn) -> list[int]:
    """Every relation, each with its own viewer and author; their ids as viewers."""
    viewers = []
    for n, (following, block, author_public) in enumerate(RELATIONS):
        viewer = await _user(conn, f"viewer{n}")
        author = await _user(conn, f"author{n}", is_public=author_public)
        other = await _user(conn, f"other{n}")
        for follower in (viewer, other) if following else (other,):
            await conn.execute(
                "INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2)", follower, author
            )
        if block is not None:
            blocker, blocked = (viewer, author) if block == "viewer" else (author, viewer)
            await conn.execute(
                "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)", blocker, blocked
            )
        shared = await _group(conn, [author, viewer, other])
        apart = await _group(conn, [author, other])
        for who in (author, viewer):  # the author's posts, and the viewer's own
            for privacy in ("public", "almost_private"):
                await _post(conn, who, privacy, None)
            await _post(conn, who, "private", None, picked=[viewer, other])
            await _post(conn, who, "private", None, picked=[other])
            for group in (shared, apart):
                await _post(conn, who, "public", group)
        for post_id in await conn.fetch("SELECT id FROM posts WHERE author_id = $1", author):
            for commenter in (author, viewer, other):
                await conn.execute(
                    "INSERT INTO comments (post_id, author_id, body) VALUES ($1, $2, 'c')",
                    post_id["id"],
                    commenter,
                )
        viewers.append(viewer)
    return viewers


async def compare(conn) -> list[str]:
    """Every disagreement between SQL and memory, described."""
    viewer_ids = await build_world(conn)
    wrong = []
    all_posts = await conn.fetch(
        "SELECT p.id, p.author_id, p.group_id, p.privacy, u.is_public,"
        " ARRAY(SELECT user_id FROM post_viewers v WHERE v.post_id = p.id) AS picked"
        " FROM posts p JOIN users u ON u.id = p.author_id"
    )
    facts = {
        row["id"]: PostFacts(row["author_id"], row["group_id"], row["privacy"], set(row["picked"]))
        for row in all_posts
    }
    author_public = {row["id"]: row["is_public"] for row in all_posts}
    comments = await conn.fetch("SELECT id, post_id, author_id FROM comments")
    for viewer_id in viewer_ids:
        viewer = await users.select_viewer(conn, viewer_id)
        groups = {
            row["group_id"]
            for row in await conn.fetch(
                "SELECT group_id FROM group_members WHERE user_id = $1", viewer_id
            )
        }
        seen = {
            row["id"]
            for row in await conn.fetch(
                f"SELECT p.id FROM posts p WHERE {visibility.post_visible('p', '$1')}", viewer_id
            )
        }
        home = {row["id"] for row in await posts.select_home(conn, viewer_id, None, 10_000)}
        explore = {row["id"] for row in await posts.select_explore(conn, viewer_id, None, 10_000)}
        profile = set()
        for author_id in {post.author_id for post in facts.values()}:
            if await profiles.can_view_profile(conn, author_id, viewer_id):
                rows = await posts.select_author_posts(conn, author_id, viewer_id, None, 10_000)
                profile |= {row["id"] for row in rows}
        for post_id, post in facts.items():
            checks = {
                "post_visible": (post_id in seen, visibility.sees_post(viewer, groups, post)),
                "home": (post_id in home, visibility.in_home(viewer, groups, post)),
                "explore": (post_id in explore, visibility.in_explore(viewer, groups, post)),
                "profile": (
                    post_id in profile,
                    visibility.in_profile(
                        viewer, groups, post, author_public=author_public[post_id]
                    ),
                ),
            }
            wrong += [
                f"{name}: viewer {viewer_id}, post {post_id} {post}: SQL {sql}, memory {memory}"
                for name, (sql, memory) in checks.items()
                if sql != memory
            ]
        visible_comments = {
            row["id"]
            for row in await conn.fetch(
                "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id"
                f" WHERE {visibility.comment_visible('c', 'p', '$1')}",
                viewer_id,
            )
        }
        for comment in comments:
            memory = visibility.sees_comment(
                viewer, groups, facts[comment["post_id"]], comment["author_id"]
            )
            if (comment["id"] in visible_comments) != memory:
                wrong.append(f"comment_visible: viewer {viewer_id}, comment {dict(comment)}")
    return wrong


async def test_sql_and_memory_agree_on_every_relation_and_post(db):
    assert await db.transaction(compare) == []


async def test_the_world_has_every_answer(db):
    """The comparison means something only if both answers occur for each rule."""

    async def answers(conn) -> set:
        await build_world(conn)
        return {
            row[0]
            for row in await conn.fetch(
                "SELECT DISTINCT post_visible FROM ("
                f" SELECT {visibility.post_visible('p', 'u.id')} AS post_visible"
                " FROM posts p CROSS JOIN users u) AS t"
            )
        }

    assert await db.transaction(answers) == {True, False}
