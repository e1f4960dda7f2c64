"""Full-text search over people, groups and posts, with Postgres alone (SPEC.md, Search).

Each kind has one document expression (server/db/schema.py), indexed by a GIN expression index
(migration 0012) and matched by the very same text here, so the planner uses the index. The
'simple' configuration lowercases words without stemming: names and posts mix languages, and a
stemmer for one language would mangle the others. The searched text becomes a prefix query in
Postgres itself (every word of it must start a word of the document: "ali cli" finds "Alice
climbs"), built from `plainto_tsquery`, which accepts any text: punctuation and operators in
the search box are words to it, never syntax.
"""

from __future__ import annotations

import asyncpg

from server.db import schema, visibility
from server.db.groups import SELECT_GROUP
from server.db.posts import post_columns
from server.db.profiles import person_columns
from server.db.schema import group_document, person_document, post_document

CONFIG = schema.SEARCH_CONFIG


def prefix_query(text: str) -> str:
    """The tsquery of a search box's text (an SQL expression): each word, as a prefix."""
    words = f"plainto_tsquery({CONFIG}, {text})::text"
    return f"to_tsquery({CONFIG}, regexp_replace({words}, '''(?:[^'']|'''')*''', '\\&:*', 'g'))"


PEOPLE = f"""
SELECT {person_columns("$2")}
FROM users u
WHERE {person_document("u")} @@ {prefix_query("$1")}
  AND NOT {visibility.blocks_between("u.id", "$2")}
  AND ($3::bigint IS NULL OR u.id < $3)
ORDER BY u.id DESC
LIMIT $4
"""

GROUPS = f"""
{SELECT_GROUP}
WHERE {group_document("g")} @@ {prefix_query("$1")}
  AND ($3::bigint IS NULL OR g.id < $3)
ORDER BY g.id DESC
LIMIT $4
"""

# The page's ids first, then their columns: the counts and the viewer's reaction are read for
# the rows shown, not for every match sorted on the way.
POSTS = f"""
SELECT {post_columns("$2")}
FROM posts p JOIN users a ON a.id = p.author_id
WHERE p.id IN (
    SELECT m.id FROM posts m
    WHERE {post_document("m")} @@ {prefix_query("$1")}
      AND {visibility.post_visible("m", "$2")}
      AND ($3::bigint IS NULL OR m.id < $3)
    ORDER BY m.id DESC
    LIMIT $4
)
ORDER BY p.id DESC
"""

QUERIES = {"people": PEOPLE, "groups": GROUPS, "posts": POSTS}


async def search(
    conn: asyncpg.Connection,
    kind: str,
    text: str,
    viewer_id: int,
    before: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The matches of one kind ("people", "groups", "posts") that the viewer may see, newest
    first."""
    return await conn.fetch(QUERIES[kind], text, viewer_id, before, limit)
