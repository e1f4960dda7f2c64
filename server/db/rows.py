"""Frozen dataclasses built from asyncpg records."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypeVar

import asyncpg

R = TypeVar("R")


def from_record(cls: type[R], record: asyncpg.Record | None) -> R | None:
    """Build `cls` from the record's columns of the same names (extra columns are ignored)."""
    if record is None:
        return None
    return cls(**{f.name: record[f.name] for f in fields(cls)})  # type: ignore[arg-type]


def frozen(cls: type[Any]) -> type[Any]:
    return dataclass(frozen=True, slots=True)(cls)
