"""Cursor paging of API.md: `?before=<id>&limit=<n>` in, `{"items": [...], "next": id|null}` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from server.domain.inputs import MAX_ID, Fields, Integer, Text

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


# `?before=&limit=` of every list (declared by its route: server/http/contract.py).
PAGING = Fields(
    before=Integer(1, MAX_ID, description="the `next` of the previous page"),
    limit=Integer(1, MAX_LIMIT, description=f"default {DEFAULT_LIMIT}"),
)
# A list that searches too: `?q=` (trimmed, "" when absent).
SEARCHABLE = PAGING.extended(q=Text(max_length=MAX_QUERY_LENGTH, empty=""))


def page_of(query: dict) -> Page:
    """The page a declared query string (PAGING) asks for."""
    return Page(before=query["before"], limit=query["limit"] or DEFAULT_LIMIT)


def paged(
    rows: Sequence[Any], page: Page, to_json: Callable[[Any], dict], cursor: Callable[[Any], int]
) -> dict:
    shown = rows[: page.limit]
    more = len(rows) > page.limit
    return {
        "items": [to_json(row) for row in shown],
        "next": cursor(shown[-1]) if more and shown else None,
    }
