"""JSON Schema, as the contract writes it: the few builders that the response shapes
(server/shapes.py), the accepted inputs (server/domain/inputs.py) and the routes
(server/http/contract.py) declare their schemas with. GET /api/openapi.json and docs/api.md are
generated from these declarations, and the test suite validates every JSON response it receives
against them (tests/contract.py), so the documents cannot drift from the code.

Schemas are plain dicts (JSON Schema 2020-12, the dialect of OpenAPI 3.1). A named shape is a
component: `component("Post", {...})` records it once and returns its `$ref`.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Every named shape, by name: the `components.schemas` of the OpenAPI document.
COMPONENTS: dict[str, Schema] = {}

MAX_ID = 2**63 - 1

INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC"}
DATE: Schema = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
URL: Schema = {"type": "string", "format": "uri-reference"}


def nullable(schema: Schema) -> Schema:
    """`schema` or null."""
    if set(schema) == {"$ref"}:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema.get("type")
    if isinstance(kind, str):
        nulled = {**schema, "type": [kind, "null"]}
        if "enum" in nulled:
            nulled["enum"] = [*nulled["enum"], None]
        return nulled
    return {"anyOf": [schema, {"type": "null"}]}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with exactly these members: those of `required` always, those of `optional`
    sometimes, and no other (a member added to a shape must be added here too)."""
    properties = {**required, **(optional or {})}
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def any_of(*schemas: Schema) -> Schema:
    return {"anyOf": list(schemas)}


def component(name: str, schema: Schema) -> Schema:
    """Record a named shape (once) and return its reference."""
    if name in COMPONENTS and COMPONENTS[name] != schema:
        raise ValueError(f"two shapes named {name}")
    COMPONENTS[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def component_name(schema: Schema) -> str | None:
    """The name of the component `schema` refers to, or None."""
    ref = schema.get("$ref", "")
    return ref.rpartition("/")[2] if ref.startswith("#/components/schemas/") else None


def page_of(items: Schema) -> Schema:
    """A page of a list: `{"items": [...], "next": <id|null>}`."""
    return obj({"items": array(items), "next": nullable(INTEGER)})


def items_of(items: Schema) -> Schema:
    """A whole list, unpaged: `{"items": [...]}`."""
    return obj({"items": array(items)})
