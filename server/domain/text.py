"""Text rules of API.md: trim surrounding whitespace first, count Unicode code points."""

from __future__ import annotations

from server.errors import ValidationError


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
    if "\x00" in text:
        raise ValidationError(fields={field: "must not contain NUL characters"})
    if not text:
        if required:
            raise ValidationError(fields={field: f"{label or 'this field'} is required"})
        return None
    if len(text) > max_length:
        raise ValidationError(fields={field: f"at most {max_length} characters"})
    return text
