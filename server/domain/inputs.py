"""What text and what ids the product accepts (API.md, Conventions), decided here once for
HTTP bodies, query strings, form fields and WebSocket frames alike.

Text: surrounding whitespace is trimmed first, lengths count Unicode code points, and text that
Postgres or UTF-8 cannot carry (NUL, lone surrogates) is refused as a validation error rather
than reaching the database. Ids: positive integers that fit Postgres's BIGINT.
"""

from __future__ import annotations

from server.errors import ValidationError

MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    """A JSON number usable as an id (booleans are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(value: object, *, field: str, message: str = "an id") -> int:
    if not is_id(value):
        raise ValidationError(fields={field: message})
    return value  # type: ignore[return-value]


def id_from_text(text: str, *, field: str, message: str = "an id") -> int:
    """An id written as digits (a form field, a query string)."""
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not is_id(int(text)):
        raise ValidationError(fields={field: message})
    return int(text)


def unusable_character(text: str) -> str | None:
    """Why `text` cannot be stored, or None: NUL (Postgres text refuses it) or a lone surrogate
    (a half of a UTF-16 pair, which no UTF-8 encoder accepts)."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    return None


def clean_text(
    value: object,
    *,
    field: str,
    max_length: int,
    required: bool = False,
    label: str | None = None,
) -> str | None:
    """The trimmed text, or None when empty and optional. Errors name the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(fields={field: "must be text"})
    text = value.strip()
    problem = unusable_character(text)
    if problem is not None:
        raise ValidationError(fields={field: problem})
    if not text:
        if required:
            raise ValidationError(fields={field: f"{label or 'this field'} is required"})
        return None
    if len(text) > max_length:
        raise ValidationError(fields={field: f"at most {max_length} characters"})
    return text
