"""The OpenAPI document (GET /api/openapi.json), generated from what the code declares: the
routing table (paths, methods, path parameters), each route's declaration
(server/http/contract.py: its body, form or query string as the same Fields that parse them,
its answers with their schemas, its own refusals) and the shapes' schemas (server/shapes.py).
docs/api.md is generated from this document too (docs/api.py), and the test suite validates
every JSON response it receives against it (tests/contract.py), so neither can drift.

The WebSocket's frames are not HTTP and have no place in OpenAPI: docs/api.md lists them from
server/realtime/protocol.py.
"""

from __future__ import annotations

import re
from typing import Any

from quart import Quart

from server.errors import (
    ApiError,
    ForbiddenOrigin,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    Unavailable,
    UnsupportedMedia,
    ValidationError,
)
from server.http.contract import Answer, Declaration, declaration_of
from server.http.guards import UNSAFE_METHODS, needs_session
from server.schema import COMPONENTS, ID, STRING, enum

_PARAMETER = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")
DOCUMENTED_PREFIXES = ("/api/", "/media/")

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "snake_case, fixed"},
                "message": {"type": "string", "description": "for people"},
                "fields": {
                    "type": "object",
                    "description": "validation only: why, by member",
                    "additionalProperties": {"type": "string"},
                },
            },
            "additionalProperties": False,
        }
    },
}

WEBSOCKET = {
    "get": {
        "summary": "The realtime socket: one JSON object per text frame (docs/api.md, WebSocket)",
        "operationId": "realtime.ws",
        "responses": {
            "101": {"description": "Switching Protocols: the socket is open"},
            "401": {"description": "No session (the `sid` cookie)"},
            "403": {"description": "Origin not allowed"},
            "429": {"description": "Too many sockets of this user", "headers": {"Retry-After": {}}},
        },
    }
}


def documented_rules(app: Quart) -> list[Any]:
    """The routing table's rules that the contract covers (the client's pages are not API)."""
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(DOCUMENTED_PREFIXES)]


def path_of(rule: str) -> str:
    return _PARAMETER.sub(r"{\2}", rule)


def _path_parameters(rule: str) -> list[dict]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": ID if converter == "id" else STRING,
        }
        for converter, name in _PARAMETER.findall(rule)
    ]


def _query_parameters(declaration: Declaration) -> list[dict]:
    if declaration.query is None:
        return []
    schema = declaration.query.schema()
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": member}
        for name, member in schema["properties"].items()
    ]


def _request_body(declaration: Declaration) -> dict | None:
    if declaration.json is not None:
        media, schema = "application/json", declaration.json.schema()
    elif declaration.form is not None:
        media, schema = "multipart/form-data", declaration.form.schema()
    else:
        return None
    return {"required": True, "content": {media: {"schema": schema}}}


def refusals(rule: str, method: str, declaration: Declaration) -> list[type[ApiError]]:
    """Every error the route may answer: its own, and those of every route of its kind."""
    found: list[type[ApiError]] = []
    if needs_session(path_of(rule)):
        found.append(Unauthenticated)
    if method in UNSAFE_METHODS:
        found += [ForbiddenOrigin, RateLimited]
    if declaration.json is not None:
        found += [UnsupportedMedia, ValidationError, PayloadTooLarge]
    if declaration.form is not None:
        found += [ValidationError, PayloadTooLarge, UnsupportedMedia]
    if declaration.query is not None:
        found.append(ValidationError)
    if "<" in rule:
        found.append(NotFound)
    if declaration.database:
        found.append(Unavailable)
    found += declaration.errors
    return list(dict.fromkeys(found))


def _error_response(errors: list[type[ApiError]]) -> dict:
    codes = sorted({error.code for error in errors})
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Error"},
            {"properties": {"error": {"properties": {"code": enum(*codes)}}}},
        ]
    }
    response: dict = {
        "description": ", ".join(codes),
        "content": {"application/json": {"schema": schema}},
    }
    if any(issubclass(error, RateLimited) for error in errors):
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return response


def _response(answer: Answer) -> dict:
    response: dict = {"description": answer.description or "OK"}
    if answer.media is not None:
        schema = answer.schema if answer.schema is not None else {}
        response["content"] = {answer.media: {"schema": schema}}
    if answer.headers:
        response["headers"] = {name: {"schema": STRING} for name in answer.headers}
    return response


def operation(rule: Any, method: str, view: Any) -> dict:
    declaration = declaration_of(view)
    if declaration is None:
        raise LookupError(f"{method} {rule.rule} declares nothing (server/http/contract.py)")
    doc = (view.__doc__ or "").strip()
    summary, _, description = doc.partition("\n")
    op: dict = {
        "summary": summary,
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "tags": [rule.endpoint.partition(".")[0]],
    }
    if description.strip():
        op["description"] = " ".join(description.split())
    parameters = _path_parameters(rule.rule) + _query_parameters(declaration)
    if parameters:
        op["parameters"] = parameters
    body = _request_body(declaration)
    if body is not None:
        op["requestBody"] = body
    responses = {str(status): _response(answer) for status, answer in declaration.answers.items()}
    by_status: dict[int, list[type[ApiError]]] = {}
    for error in refusals(rule.rule, method, declaration):
        by_status.setdefault(error.status, []).append(error)
    for status, errors in sorted(by_status.items()):
        responses.setdefault(str(status), _error_response(errors))
    op["responses"] = dict(sorted(responses.items()))
    if not needs_session(path_of(rule.rule)):
        op["security"] = []
    return op


def document(app: Quart) -> dict:
    paths: dict[str, dict] = {}
    for rule in documented_rules(app):
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path_of(rule.rule), {})[method.lower()] = operation(rule, method, view)
    paths["/ws"] = WEBSOCKET
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "socialnet",
            "version": "1",
            "description": "Generated from the code that validates each request "
            "(server/http/contract.py); the WebSocket's frames are in docs/api.md.",
        },
        "paths": dict(sorted(paths.items())),
        "security": [{"session": []}],
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sid"}},
            "schemas": {"Error": ERROR, **dict(sorted(COMPONENTS.items()))},
        },
    }
