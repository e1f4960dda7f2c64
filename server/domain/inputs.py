"""What text and what ids the product accepts (API.md, Conventions), decided here once for
HTTP bodies, query strings, form fields and WebSocket frames alike.

Text: surrounding whitespace is trimmed first, lengths count Unicode code points, and text that
Postgres or UTF-8 cannot carry (NUL, lone surrogates) is refused as a validation error rather
than reaching the database. Ids: positive integers that fit Postgres's BIGINT.

The field kinds at the end (`Text`, `Id`, `Boolean`, `OneOf`, `Integer`, `IdList`, `Typed`,
`Check`, `Upload`) and `Fields`, a set of them, are how a route declares what it accepts
(server/http/contract.py): the one declaration parses the request with the functions above and
describes it as JSON Schema for the contract's documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from server.errors import ValidationError
from server.schema import MAX_ID, Schema, array, nullable, obj


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


def parse_bool(value: object, *, field: str, default: bool) -> bool:
    """true/false, also as text (a form field, a query string: true, 1, yes, on...)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise ValidationError(fields={field: "must be true or false"})


# --- declared inputs ----------------------------------------------------------------------------


class Field:
    """One member of a body, a form or a query string: how its value is read (`parse`, from
    JSON; `parse_text`, from a form field or a query string, always text) and what it is
    (`schema`). Errors name the member."""

    required = False

    def parse(self, value: object, name: str) -> Any:
        raise NotImplementedError

    def parse_text(self, value: str | None, name: str) -> Any:
        return self.parse(value, name)

    def schema(self) -> Schema:
        raise NotImplementedError


class Text(Field):
    """Text, trimmed, at most `max_length` code points; None when empty and optional."""

    def __init__(
        self,
        *,
        max_length: int,
        required: bool = False,
        label: str | None = None,
        empty: str | None = None,
    ):
        self.max_length = max_length
        self.required = required
        self.label = label
        # What an empty optional text reads as: None, or "" where None means "unchanged".
        self.empty = empty

    def parse(self, value: object, name: str) -> str | None:
        text = clean_text(
            value, field=name, max_length=self.max_length, required=self.required, label=self.label
        )
        return self.empty if text is None else text

    def schema(self) -> Schema:
        text: Schema = {"type": "string", "maxLength": self.max_length}
        if self.required:
            return {**text, "minLength": 1}
        return nullable(text)


class Typed(Field):
    """Text as typed, untrimmed (an email or a password to check against an account): any
    non-empty text the product could have stored."""

    required = True

    def __init__(self, *, message: str = "required"):
        self.message = message

    def parse(self, value: object, name: str) -> str:
        if not isinstance(value, str) or not value:
            raise ValidationError(fields={name: self.message})
        problem = unusable_character(value)
        if problem is not None:
            raise ValidationError(fields={name: problem})
        return value

    def schema(self) -> Schema:
        return {"type": "string", "minLength": 1}


class Id(Field):
    """An id: a JSON number, or digits in a form or query string."""

    def __init__(self, *, message: str = "an id", required: bool = True):
        self.message = message
        self.required = required

    def parse(self, value: object, name: str) -> int | None:
        if value is None and not self.required:
            return None
        return parse_id(value, field=name, message=self.message)

    def parse_text(self, value: str | None, name: str) -> int | None:
        text = (value or "").strip()
        if not text and not self.required:
            return None
        return id_from_text(text, field=name, message=self.message)

    def schema(self) -> Schema:
        number: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        return number if self.required else nullable(number)


class Integer(Field):
    """A whole number from `low` to `high` in a query string; None when absent or empty."""

    def __init__(self, low: int, high: int, *, description: str | None = None):
        self.low = low
        self.high = high
        self.description = description

    def parse(self, value: object, name: str) -> int | None:
        return self.parse_text(None if value is None else str(value), name)

    def parse_text(self, value: str | None, name: str) -> int | None:
        if value is None or value == "":
            return None
        if (
            not value.isascii()
            or not value.isdigit()
            or len(value) > 19
            or not self.low <= int(value) <= self.high
        ):
            raise ValidationError(fields={name: f"a whole number from {self.low} to {self.high}"})
        return int(value)

    def schema(self) -> Schema:
        number: Schema = {"type": "integer", "minimum": self.low, "maximum": self.high}
        return {**number, "description": self.description} if self.description else number


class Boolean(Field):
    """true or false: a JSON boolean; in a form or query string also 1/0, yes/no, on/off."""

    def __init__(self, *, default: bool | None = None):
        self.default = default

    def parse(self, value: object, name: str) -> bool | None:
        if value is None and self.default is not None:
            return self.default
        if not isinstance(value, bool):
            raise ValidationError(fields={name: "must be true or false"})
        return value

    def parse_text(self, value: str | None, name: str) -> bool | None:
        return parse_bool(value, field=name, default=self.default)  # type: ignore[arg-type]

    def schema(self) -> Schema:
        if self.default is None:
            return {"type": "boolean"}
        return {"type": "boolean", "default": self.default}


class OneOf(Field):
    """One of `choices`; None when absent (and, from text, empty) unless required."""

    def __init__(self, choices: tuple[str, ...], *, message: str, required: bool = False):
        self.choices = choices
        self.message = message
        self.required = required

    def parse(self, value: object, name: str) -> str | None:
        if value is None and not self.required:
            return None
        if value not in self.choices:
            raise ValidationError(fields={name: self.message})
        return value  # type: ignore[return-value]

    def parse_text(self, value: str | None, name: str) -> str | None:
        return self.parse((value or "").strip() or None, name)

    def schema(self) -> Schema:
        choice: Schema = {"type": "string", "enum": list(self.choices)}
        return choice if self.required else nullable(choice)


class IdList(Field):
    """Ids, each once: a JSON array, or a repeated form field whose values may also be
    comma-separated (`a=1&a=2` or `a=1,2`)."""

    def __init__(self, *, max_items: int, message: str, too_many: str, not_a_list: str):
        self.max_items = max_items
        self.message = message
        self.too_many = too_many
        self.not_a_list = not_a_list

    def parse(self, value: object, name: str) -> tuple[int, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            raise ValidationError(fields={name: self.not_a_list})
        return self._bounded(
            tuple(
                dict.fromkeys(parse_id(item, field=name, message=self.message) for item in value)
            ),
            name,
        )

    def parse_values(self, values: list[str], name: str) -> tuple[int, ...]:
        parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
        return self._bounded(
            tuple(
                dict.fromkeys(
                    id_from_text(part, field=name, message=self.message) for part in parts
                )
            ),
            name,
        )

    def _bounded(self, ids: tuple[int, ...], name: str) -> tuple[int, ...]:
        if len(ids) > self.max_items:
            raise ValidationError(fields={name: self.too_many})
        return ids

    def schema(self) -> Schema:
        ids = array({"type": "integer", "minimum": 1, "maximum": MAX_ID})
        return {**ids, "maxItems": self.max_items}


class Check(Field):
    """A value read by a rule of the domain (`parse(value) -> value`, raising ValidationError
    that names the field), described by `schema`."""

    def __init__(self, parse: Callable[[object], Any], schema: Schema, *, required: bool = True):
        self._parse = parse
        self._schema = schema
        self.required = required

    def parse(self, value: object, name: str) -> Any:
        return self._parse(value)

    def schema(self) -> Schema:
        return self._schema


class Upload(Field):
    """An image file of a multipart form (JPEG, PNG or GIF; server/media.py decides); an empty
    part, as a browser sends for a file input left blank, is no file."""

    def __init__(self, *, required: bool = False):
        self.required = required

    def parse(self, value: object, name: str) -> Any:
        return value

    def schema(self) -> Schema:
        return {"type": "string", "format": "binary", "contentMediaType": "image/*"}


UNKNOWN = "cannot be changed here"


class Fields:
    """A body, a form or a query string: its members, each a Field.

    `parse` reads every member and reports every problem at once, keyed by member. A member
    absent from the input is read as None (so a required one is a problem), except with
    `partial=True` (a PATCH: what is absent stays as it is), where it is left out of the result.
    `closed=True` refuses members it does not know, before anything else."""

    def __init__(self, *, partial: bool = False, closed: bool = False, **fields: Field):
        self.fields = fields
        self.partial = partial
        self.closed = closed
        # Each member's reader, chosen once (this runs on every request of its route). Uploads
        # are read from the form's files by the HTTP layer, once the fields pass.
        read = [(name, field) for name, field in fields.items() if not isinstance(field, Upload)]
        self._from_json = [(name, field.parse) for name, field in read]
        self._from_text = [
            (name, field.parse_values if isinstance(field, IdList) else field.parse_text)
            for name, field in read
        ]
        self._lists = {name for name, field in read if isinstance(field, IdList)}

    def extended(self, **fields: Field) -> Fields:
        return Fields(partial=self.partial, closed=self.closed, **{**self.fields, **fields})

    def parse(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return self._read(data, self._from_json)

    def parse_text(
        self, data: Mapping[str, str], lists: Mapping[str, list[str]] | None = None
    ) -> dict[str, Any]:
        """From a form or a query string: every value is text (the first of a repeated name);
        an IdList reads every value of its name from `lists`."""
        if self._lists:
            data = {**data, **{name: (lists or {}).get(name, []) for name in self._lists}}
        return self._read(data, self._from_text)

    def _read(self, data: Mapping[str, Any], readers: list) -> dict[str, Any]:
        if self.closed:
            unknown = set(data) - set(self.fields)
            if unknown:
                raise ValidationError(fields={key: UNKNOWN for key in sorted(unknown)})
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, read in readers:
            if self.partial and name not in data:
                continue
            try:
                values[name] = read(data.get(name), name)
            except ValidationError as error:
                problems.update(error.fields or {name: error.message})
        if problems:
            raise ValidationError(fields=problems)
        return values

    def schema(self) -> Schema:
        required = {name: f.schema() for name, f in self.fields.items() if f.required}
        optional = {name: f.schema() for name, f in self.fields.items() if not f.required}
        schema = obj(required, optional)
        if not self.closed:
            del schema["additionalProperties"]
        if self.partial:
            schema.pop("required", None)
        return schema
