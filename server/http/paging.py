"""Cursor paging of API.md: `?before=<id>&limit=<n>` in, `{"items": [...], "next": id|null}` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quart import request

from server.domain.inputs import MAX_ID, clean_text
from server.errors import ValidationError

# A search box's text at most (`?q=`), in code points after trimming.
MAX_QUERY_LENGTH = 100
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Page:
    before: int | None
    limit: int

    @property
    def fetch(self) -> int:
        """Rows to ask for: one more than shown tells whether there is a next page."""
        return self.limit + 1


def _integer(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not low <= int(raw) <= high:
        raise ValidationError(fields={name: f"a whole number from {low} to {high}"})
    return int(raw)


def query_text() -> str:
    """The `?q=` of a list that searches: trimmed, "" when absent."""
    return clean_text(request.args.get("q"), field="q", max_length=MAX_QUERY_LENGTH) or ""


def page_args() -> Page:
    before = _integer("before", 1, MAX_ID)
    limit = _integer("limit", 1, MAX_LIMIT)
    return Page(before=before, limit=limit or DEFAULT_LIMIT)


def paged(
    rows: Sequence[Any], page: Page, to_json: Callable[[Any], dict], cursor: Callable[[Any], int]
) -> dict:
    shown = rows[: page.limit]
    more = len(rows) > page.limit
    return {
        "items": [to_json(row) for row in shown],
        "next": cursor(shown[-1]) if more and shown else None,
    }
