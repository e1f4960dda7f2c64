"""The contract, held to every response the suite receives.

Every httpx client of the suite's fixtures (tests/conftest.py, `new_client` and so every
persona) carries `HOOKS`: each response to an `/api/` or `/media/` request is checked against
the OpenAPI document the server generates from its declarations (server/http/openapi.py): its
status must be one the route documents, a JSON body must validate against that status's schema
(an error's code must be one the route documents for that status), other bodies must have the
documented media type, and a 204 no body. A route that answers something its declaration does
not say fails the test that made the request, so the document cannot drift from the code.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from functools import cache
from typing import Any

import httpx
from jsonschema import Draft202012Validator

CHECKED_PREFIXES = ("/api/", "/media/")


@cache
def openapi_document() -> dict:
    """The document the server serves at GET /api/openapi.json, built from the same app."""
    # Imported here: trio_asyncio installs an asyncio loop policy on import (see conftest).
    from server.http.app import create_app
    from server.http.openapi import document

    return document(create_app(None))  # the routing table and declarations need no services


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    """Each documented path as a pattern; literal paths first (/api/users/me before
    /api/users/{user_id})."""
    routes = []
    for path, operations in openapi_document()["paths"].items():
        integers = {
            parameter["name"]
            for operation in operations.values()
            for parameter in operation.get("parameters", ())
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
        }
        pattern = re.sub(
            r"\\\{([a-z_]+)\\\}",
            lambda match, integers=integers: "[0-9]+" if match.group(1) in integers else "[^/]+",
            re.escape(path),
        )
        routes.append((re.compile(f"^{pattern}$"), path))
    return sorted(routes, key=lambda route: "{" in route[1])


def operation_of(method: str, path: str) -> tuple[str, dict | None] | None:
    """(documented path, its operation for `method` or None) for a request, or None."""
    for pattern, documented in _routes():
        if pattern.match(path):
            return documented, openapi_document()["paths"][documented].get(method.lower())
    return None


@cache
def validator(schema_key: tuple[str, str, str]) -> Draft202012Validator:
    path, method, status = schema_key
    response = openapi_document()["paths"][path][method]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    return _validator_for(schema)


@cache
def _error_validator() -> Draft202012Validator:
    return _validator_for({"$ref": "#/components/schemas/Error"})


def _validator_for(schema: dict) -> Draft202012Validator:
    # The document's components travel with the schema, so its `#/components/...` refs resolve.
    return Draft202012Validator({**schema, "components": openapi_document()["components"]})


class ContractBroken(AssertionError):
    pass


def _fail(response: httpx.Response, why: str) -> None:
    request = response.request
    raise ContractBroken(
        f"{request.method} {request.url.path} answered {response.status_code}: {why}\n"
        f"body: {response.text[:500]}"
    )


def _validate(response: httpx.Response, checker: Draft202012Validator) -> None:
    try:
        body = response.json()
    except ValueError:
        _fail(response, "a body that is not JSON")
    problems = sorted(checker.iter_errors(body), key=lambda error: list(error.absolute_path))
    if problems:
        details = "; ".join(
            f"at {'/'.join(map(str, problem.absolute_path)) or 'the top'}: {problem.message}"
            for problem in problems[:5]
        )
        _fail(response, f"not the documented shape ({details})")


def check_response(response: httpx.Response) -> None:
    """Raise ContractBroken unless `response` is what its route documents (module docstring)."""
    request = response.request
    path = request.url.path
    if not path.startswith(CHECKED_PREFIXES):
        return
    media_type = response.headers.get("content-type", "").partition(";")[0].strip()
    found = operation_of(request.method, path)
    if found is None or found[1] is None:
        # No such route, or not this method: the answer is an error of the contract's shape.
        if response.status_code < 400:
            _fail(response, "a success from a route the document does not have")
        if media_type == "application/json":
            _validate(response, _error_validator())
        return
    documented, operation = found
    status = str(response.status_code)
    answer = operation["responses"].get(status)
    if answer is None:
        _fail(
            response,
            f"a status {documented} does not document ({', '.join(operation['responses'])})",
        )
    content = answer.get("content")
    if content is None:
        if response.status_code == 204 and response.content:
            _fail(response, "a body with 204")
        return
    (expected,) = content
    if expected == "application/json":
        _validate(response, validator((documented, request.method.lower(), status)))
    elif not fnmatch(media_type, expected):
        _fail(response, f"{media_type!r}, where {expected!r} is documented")


async def _check(response: httpx.Response) -> None:
    if response.request.url.path.startswith(CHECKED_PREFIXES):
        await response.aread()
        check_response(response)


# httpx.AsyncClient(..., event_hooks=HOOKS)
HOOKS: dict[str, list[Any]] = {"response": [_check]}
