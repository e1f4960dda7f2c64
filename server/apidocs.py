"""docs/api.md's reference parts, generated: every route from the OpenAPI document (itself
generated from the routes' declarations, server/http/openapi.py), every shape, and every
WebSocket frame from server/realtime/protocol.py. The prose around them is written by hand;
the generated parts sit between marker lines and are rewritten whole.

    python -m server.apidocs            # rewrite docs/api.md (`make docs`)
    python -m server.apidocs --check    # exit 1 when docs/api.md is stale (tests/test_api_docs.py)
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

from server.config import REPO_ROOT
from server.realtime import protocol

API_MD = REPO_ROOT / "docs" / "api.md"
BEGIN = "<!-- BEGIN GENERATED {name}: `make docs` writes this part; do not edit it by hand -->"
END = "<!-- END GENERATED {name} -->"


def openapi_document() -> dict:
    from server.http.app import create_app
    from server.http.openapi import document

    return document(create_app(None))  # type: ignore[arg-type]


# --- schemas as one line of text ----------------------------------------------------------------


def _name(ref: str) -> str:
    return ref.rpartition("/")[2]


def _bounds(schema: dict) -> str:
    low = schema.get("minLength", schema.get("minimum", schema.get("minItems")))
    high = schema.get("maxLength", schema.get("maximum", schema.get("maxItems")))
    if high is not None and high >= 2**63 - 1:
        high = None
    if low is None and high is None:
        return ""
    if high is None:
        return f" ≥{low}"
    return f" {low or 0}..{high}"


def render(schema: dict, depth: int = 0) -> str:
    """A schema as a short expression: `<Post>`, `{post: <Post>}`, `"a" | "b"`, `[<T>]`..."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return f"<{_name(schema['$ref'])}>"
    if "const" in schema:
        return f'"{schema["const"]}"'
    if "anyOf" in schema:
        return " | ".join(render(part, depth) for part in schema["anyOf"])
    if "allOf" in schema and "type" not in schema:
        return " & ".join(render(part, depth) for part in schema["allOf"])
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    nullable = "null" in kinds
    kinds = [k for k in kinds if k != "null"]
    if "enum" in schema:
        text = " | ".join(f'"{v}"' for v in schema["enum"] if v is not None)
    elif kinds == ["object"]:
        text = _render_object(schema, depth)
    elif kinds == ["array"]:
        text = f"[{render(schema.get('items', {}), depth)}]{_bounds(schema)}"
    elif kinds == ["string"] and schema.get("format") in ("date-time", "date", "binary"):
        text = schema["format"]
    elif kinds:
        text = f"{kinds[0]}{_bounds(schema)}"
    else:
        text = "any"
    if "default" in schema:
        text = f"{text} (default {str(schema['default']).lower()})"
    return f"{text} | null" if nullable else text


def _render_object(schema: dict, depth: int) -> str:
    properties = schema.get("properties")
    if not properties:
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            return f"{{<key>: {render(values, depth + 1)}}}"
        return "object"
    required = set(schema.get("required", ()))
    members = [
        f"{name}{'' if name in required else '?'}: {render(member, depth + 1)}"
        for name, member in properties.items()
    ]
    return "{" + ", ".join(members) + "}"


# --- routes -------------------------------------------------------------------------------------


def _parameters(operation: dict, where: str) -> list[str]:
    return [
        f"`{p['name']}{'' if p.get('required') else '?'}`: {render(p['schema'])}"
        + (f" ({p['schema']['description']})" if p["schema"].get("description") else "")
        for p in operation.get("parameters", ())
        if p["in"] == where
    ]


def _body(operation: dict) -> list[str]:
    body = operation.get("requestBody")
    if body is None:
        return []
    ((media, content),) = body["content"].items()
    schema = content["schema"]
    required = set(schema.get("required", ()))
    lines = [f"- Body, `{media}`:"]
    for name, member in schema.get("properties", {}).items():
        note = member.get("description")
        lines.append(
            f"  - `{name}{'' if name in required else '?'}`: {render(member)}"
            + (f" ({note})" if note and member.get("format") != "binary" else "")
        )
    if schema.get("additionalProperties") is False:
        lines.append("  - no other member (unknown ones are a 422)")
    return lines


def _answers(operation: dict) -> list[str]:
    success, errors = [], []
    for status, response in operation["responses"].items():
        content = response.get("content")
        if int(status) >= 400 and content and "allOf" in content["application/json"]["schema"]:
            codes = content["application/json"]["schema"]["allOf"][1]["properties"]["error"]
            errors.append(f"{status} " + ", ".join(codes["properties"]["code"]["enum"]))
            continue
        if content is None:
            shown = response.get("description", "")
        else:
            ((media, body),) = content.items()
            shown = render(body["schema"]) if media == "application/json" else f"`{media}`"
        success.append(f"`{status}` {shown}")
    lines = [f"- Answers: {'; '.join(success)}"]
    if errors:
        lines.append(f"- Errors: {'; '.join(errors)}")
    return lines


def routes_section(document: dict) -> str:
    by_tag: dict[str, list[tuple[str, str, dict]]] = {}
    for path, operations in document["paths"].items():
        if path == "/ws":
            continue
        for method, operation in operations.items():
            by_tag.setdefault(operation["tags"][0], []).append((path, method, operation))
    out: list[str] = []
    for tag in sorted(by_tag):
        out.append(f"### {tag}\n")
        for path, method, operation in by_tag[tag]:
            out.append(f"#### `{method.upper()} {path}`\n")
            out.append(operation["summary"] + "\n")
            details: list[str] = []
            if operation.get("description"):
                details.append(f"- {operation['description']}")
            if operation.get("security") == []:
                details.append("- No session needed.")
            for where, label in (("path", "Path"), ("query", "Query")):
                params = _parameters(operation, where)
                if params:
                    details.append(f"- {label}: " + "; ".join(params))
            details += _body(operation)
            details += _answers(operation)
            out.append("\n".join(details) + "\n")
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    """Text for a Markdown table's cell."""
    return text.replace("|", "\\|")


def shapes_section(document: dict) -> str:
    out: list[str] = []
    for name, schema in document["components"]["schemas"].items():
        out.append(f"#### `<{name}>`\n")
        properties = schema.get("properties")
        if not properties:
            out.append(f"{render(schema)}\n")
            continue
        required = set(schema.get("required", ()))
        out.append("| member | type |\n| --- | --- |")
        for member, member_schema in properties.items():
            mark = "" if member in required else "?"
            shown = _cell(render(member_schema))
            out.append(f"| `{member}{mark}` | {shown} |")
        for rule in schema.get("allOf", ()):
            if "if" in rule:
                kind = rule["if"]["properties"]["kind"]["const"]
                subject = _cell(render(rule["then"]["properties"]["subject"]))
                out.append(f"| `subject` when `kind` is `{kind}` | {subject} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- frames -------------------------------------------------------------------------------------


def _fields(cls: type) -> str:
    names = [f"`{field.name}`" for field in dataclasses.fields(cls)]
    return ", ".join(names) if names else "(no other member)"


def _doc(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    if doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature, not prose
        return ""
    return " ".join(doc.split())


def frames_section() -> str:
    out = [
        "Client → server (`CLIENT_FRAMES`):\n",
        "| type | members | note |",
        "| --- | --- | --- |",
    ]
    for wire_type, cls in protocol.CLIENT_FRAME_TYPES.items():
        out.append(f"| `{wire_type}` | {_fields(cls)} | {_cell(_doc(cls))} |")
    out += ["", "Server → client (`SERVER_FRAMES`):\n", "| type | members | note |"]
    out.append("| --- | --- | --- |")
    for wire_type, cls in protocol.SERVER_FRAMES.items():
        out.append(f"| `{wire_type}` | {_fields(cls)} | {_cell(_doc(cls))} |")
    return "\n".join(out) + "\n"


# --- the file -----------------------------------------------------------------------------------


def sections() -> dict[str, str]:
    document = openapi_document()
    return {
        "routes": routes_section(document),
        "shapes": shapes_section(document),
        "frames": frames_section(),
    }


def rendered(text: str, parts: dict[str, str]) -> str:
    """`text` with each generated part replaced by `parts`' (each must be there once)."""
    for name, body in parts.items():
        begin, end = BEGIN.format(name=name), END.format(name=name)
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if len(pattern.findall(text)) != 1:
            raise ValueError(f"docs/api.md must hold the part {name!r} once, between its markers")
        replacement = f"{begin}\n\n{body}\n{end}"
        text = pattern.sub(lambda _, replacement=replacement: replacement, text)
    return text


def main(argv: list[str] | None = None, path: Path = API_MD) -> int:
    argv = sys.argv[1:] if argv is None else argv
    current = path.read_text()
    fresh = rendered(current, sections())
    if "--check" in argv:
        if fresh != current:
            print(f"{path} is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        path.write_text(fresh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
