"""Search (SPEC.md, Search): one box over people, groups and posts. What the text and the kind
may be is decided here; what a viewer may find, by the queries (server/db/search.py)."""

from __future__ import annotations

from server.domain.inputs import Fields, OneOf, Text

KINDS = ("people", "groups", "posts")
MAX_SEARCH_LENGTH = 200


# `?q=&type=`: text of 1 to 200 code points once trimmed, and a kind of KINDS.
SEARCH = Fields(
    q=Text(max_length=MAX_SEARCH_LENGTH, required=True),
    type=OneOf(KINDS, message="people, groups or posts", required=True),
)
