"""Editing one's own profile (PATCH /api/users/me)."""

from __future__ import annotations

from server.domain.accounts import (
    MAX_ABOUT_ME_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NICKNAME_LENGTH,
)
from server.domain.text import clean_text
from server.errors import ValidationError

EDITABLE = ("first_name", "last_name", "nickname", "about_me", "is_public")


def parse_profile_changes(body: dict) -> dict:
    """The changes asked for, validated; unknown keys are refused so typos do not pass silently.
    Names are required when given; nickname and about_me may be cleared with "" or null."""
    unknown = set(body) - set(EDITABLE)
    if unknown:
        raise ValidationError(fields={key: "cannot be changed here" for key in sorted(unknown)})
    changes: dict = {}
    problems: dict[str, str] = {}
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        if name in body:
            try:
                changes[name] = clean_text(
                    body[name], field=name, max_length=MAX_NAME_LENGTH, required=True, label=label
                )
            except ValidationError as error:
                problems.update(error.fields or {})
    for name, limit in (("nickname", MAX_NICKNAME_LENGTH), ("about_me", MAX_ABOUT_ME_LENGTH)):
        if name in body:
            try:
                changes[name] = clean_text(body[name], field=name, max_length=limit)
            except ValidationError as error:
                problems.update(error.fields or {})
    if "is_public" in body:
        if not isinstance(body["is_public"], bool):
            problems["is_public"] = "must be true or false"
        else:
            changes["is_public"] = body["is_public"]
    if problems:
        raise ValidationError(fields=problems)
    return changes
