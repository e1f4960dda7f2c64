"""Search (SPEC.md, Search): one box over people, groups and posts. What the text and the kind
may be is decided here; what a viewer may find, by the queries (server/db/search.py)."""

from __future__ import annotations

from server.domain.inputs import clean_text
from server.errors import ValidationError

KINDS = ("people", "groups", "posts")
MAX_SEARCH_LENGTH = 200


def parse_search(text: object, kind: object) -> tuple[str, str]:
    """(text, kind): text of 1 to 200 code points once trimmed, kind one of KINDS; every
    problem reported at once."""
    problems: dict[str, str] = {}
    try:
        cleaned = clean_text(text, field="q", max_length=MAX_SEARCH_LENGTH, required=True)
    except ValidationError as error:
        problems.update(error.fields or {})
    if kind not in KINDS:
        problems["type"] = "people, groups or posts"
    if problems:
        raise ValidationError(fields=problems)
    return cleaned, kind  # type: ignore[return-value]
