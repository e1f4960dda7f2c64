"""An OpenAPI document built from the app's own routing table, so it cannot drift from the code:
every route, its methods and the first line of its handler's docstring. API.md is the full
contract; this is the index a tool (schemathesis, a client generator) can read."""

from __future__ import annotations

import re

from quart import Quart

from server.http.guards import PUBLIC_PATHS

_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def document(app: Quart) -> dict:
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/", "/media/", "/ws")):
            continue
        path = _PARAMETER.sub(r"{\1}", rule.rule)
        view = app.view_functions[rule.endpoint]
        summary = (view.__doc__ or "").strip().splitlines()[0:1]
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
            for name in _PARAMETER.findall(rule.rule)
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "summary": summary[0] if summary else rule.endpoint,
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "responses": {"default": {"$ref": "#/components/responses/Error"}},
            }
            if parameters:
                operation["parameters"] = parameters
            if rule.rule in PUBLIC_PATHS:
                operation["security"] = []
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "socialnet", "version": "1"},
        "paths": dict(sorted(paths.items())),
        "security": [{"session": []}],
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sid"}},
            "responses": {
                "Error": {
                    "description": "An error: {error: {code, message, fields?}}",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {"type": "object"},
                            },
                        }
                    },
                }
            },
        },
    }
