"""What each route accepts and answers, declared once beside it:

    @blueprint.post("/groups")
    @declare(json=Fields(title=Text(...), ...), answers={201: obj({"group": GROUP})},
             errors=(Forbidden,))
    async def create(body: dict): ...

The declaration parses the request before the handler runs (the JSON body, the form and its
files, the query string: the handler receives them as `body` and `query`, already checked by
server/domain/inputs.py, every problem reported at once) and it is what GET /api/openapi.json
and docs/api.md say about the route (server/http/openapi.py), and what the test suite validates
every response against. A route with nothing to read is not wrapped: it costs nothing per
request.

`errors` names the route's own refusals (domain errors); those every route of its kind may
give (401 without a session, 403 forbidden_origin and 429 on unsafe methods, 415 and 422 for a
body, 404 for an id in the path, 503) are added by the document itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from quart import request

from server.domain.inputs import Fields, IdList, Upload
from server.errors import ApiError, ValidationError
from server.http import bodies
from server.schema import Schema

ATTRIBUTE = "contract"


@dataclass(frozen=True, slots=True)
class Answer:
    """One documented response: a JSON body (`schema`), no body (`schema` None and `media`
    None), or other bytes (`media`: "application/zip", "image/*")."""

    schema: Schema | None = None
    media: str | None = "application/json"
    description: str = ""
    headers: tuple[str, ...] = ()


NO_CONTENT = Answer(schema=None, media=None, description="No content")


def redirect(description: str) -> Answer:
    return Answer(schema=None, media=None, description=description, headers=("Location",))


@dataclass(frozen=True, slots=True)
class Declaration:
    answers: dict[int, Answer]
    json: Fields | None = None
    form: Fields | None = None
    query: Fields | None = None
    errors: tuple[type[ApiError], ...] = ()
    # False for the few routes that never ask the database (no 503 from them).
    database: bool = True


def declaration_of(view: Callable) -> Declaration | None:
    return getattr(view, ATTRIBUTE, None)


def _answer(value: Schema | Answer | None) -> Answer:
    if isinstance(value, Answer):
        return value
    return NO_CONTENT if value is None else Answer(schema=value)


def declare(
    *,
    answers: dict[int, Schema | Answer | None],
    json: Fields | None = None,
    form: Fields | None = None,
    query: Fields | None = None,
    errors: tuple[type[ApiError], ...] = (),
    database: bool = True,
) -> Callable[[Callable], Callable]:
    """Declare a route's input and answers (see the module's docstring)."""
    declaration = Declaration(
        answers={status: _answer(value) for status, value in answers.items()},
        json=json,
        form=form,
        query=query,
        errors=errors,
        database=database,
    )

    def decorate(view: Callable) -> Callable:
        if json is None and form is None and query is None:
            setattr(view, ATTRIBUTE, declaration)
            return view

        @wraps(view)
        async def parsed(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = query.parse_text(request.args)
            if json is not None:
                kwargs["body"] = json.parse(await bodies.json_object())
            elif form is not None:
                kwargs["body"] = await read_form(form)
            return await view(*args, **kwargs)

        setattr(parsed, ATTRIBUTE, declaration)
        return parsed

    return decorate


CHOOSE_AN_IMAGE = "choose an image"


async def read_form(declared: Fields) -> dict[str, Any]:
    """A multipart (or urlencoded) form: its fields first, every problem at once; then its
    files, each as bytes or None (reading one spends the client's upload budget)."""
    fields = await bodies.form_fields()
    form = await request.form
    lists = {
        name: form.getlist(name)
        for name, kind in declared.fields.items()
        if isinstance(kind, IdList)
    }
    values = declared.parse_text(fields, lists)
    for name, kind in declared.fields.items():
        if isinstance(kind, Upload):
            values[name] = await bodies.optional_file(name)
            if values[name] is None and kind.required:
                raise ValidationError(fields={name: CHOOSE_AN_IMAGE})
    return values
