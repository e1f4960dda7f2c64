"""Cursor paging of API.md: `?before=<id>&limit=<n>` in, `{"items": [...], "next": id|null}` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quart import request

from server.errors import ValidationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**63 - 1


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
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError(fields={name: f"a whole number from {low} to {high}"})
    return int(raw)


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
