"""The contract is generated from the code (server/http/openapi.py) and held to every response
the suite receives (tests/contract.py). These tests check the document itself: every route is
in it with what it reads and answers, it is valid JSON Schema, it is what the server serves,
and the suite's check catches a response that strays from it."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator

from server.config import REPO_ROOT
from server.http.app import create_app
from server.http.contract import declaration_of
from server.http.openapi import document, documented_rules, path_of
from tests import contract


@pytest.fixture(scope="module")
def app():
    return create_app(None)  # the routing table and the declarations need no services


def test_every_route_of_the_app_is_documented_with_its_input_and_answers(app):
    paths = document(app)["paths"]
    api_rules = [r for r in app.url_map.iter_rules() if r.endpoint.partition(".")[0] != "client"]
    # Everything but the client's pages (and Quart's static files, unused) is API.
    assert {r.rule for r in api_rules} - {r.rule for r in documented_rules(app)} <= {
        "/static/<path:filename>"
    }
    for rule in documented_rules(app):
        view = app.view_functions[rule.endpoint]
        declaration = declaration_of(view)
        assert declaration is not None, f"{rule.rule} declares nothing"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = paths[path_of(rule.rule)][method.lower()]
            assert operation["summary"], f"{method} {rule.rule}: a docstring"
            successes = [status for status in operation["responses"] if status < "400"]
            assert successes, f"{method} {rule.rule} documents no success"
            assert ("requestBody" in operation) == (
                declaration.json is not None or declaration.form is not None
            )
            for status, response in operation["responses"].items():
                if status != "204" and status < "300":
                    assert response["content"], f"{method} {rule.rule} {status}: a body"
    assert len(documented_rules(app)) >= 70


# What reads the request: only the declarations (server/http/contract.py, through bodies.py).
READERS = {"json_object", "form_fields", "optional_file", "get_json", "args", "form", "files"}
# Modules that read the request beyond its declared input: headers, cookies, the guards.
ALLOWED = {"contract.py", "bodies.py", "guards.py", "ratelimits.py", "access.py", "errors.py"}


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (REPO_ROOT / "server" / "http").glob("*.py") if p.name not in ALLOWED),
    ids=lambda p: p.name,
)
def test_no_handler_reads_its_input_past_its_declaration(path: Path):
    tree = ast.parse(path.read_text())
    reads = [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in READERS
        and isinstance(node.value, ast.Name)
        and node.value.id in ("request", "bodies")
    ]
    assert reads == []


def test_the_document_is_valid_json_schema_throughout(app):
    doc = document(app)
    for _name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    for _path, operations in doc["paths"].items():
        for _method, operation in operations.items():
            for response in operation["responses"].values():
                for media in response.get("content", {}).values():
                    Draft202012Validator.check_schema(media["schema"])
            for parameter in operation.get("parameters", ()):
                Draft202012Validator.check_schema(parameter["schema"])


async def test_the_server_serves_the_generated_document(server, new_client):
    response = await new_client().get("/api/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served == contract.openapi_document()
    assert served["paths"]["/api/posts"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert served["paths"]["/api/feed"]["get"]["responses"]["200"]["content"]


async def test_the_suite_checks_every_response_it_receives(alice):
    # The hook is on every client of the fixtures; a real answer passes it.
    assert contract.HOOKS["response"][0] in alice.client.event_hooks["response"]
    response = await alice.client.get("/api/feed")
    assert response.status_code == 200


def _answer(method: str, path: str, status: int, body: object) -> httpx.Response:
    request = httpx.Request(method, f"http://socialnet.test{path}")
    return httpx.Response(status, json=body, request=request)


CARD = {"id": 1, "first_name": "A", "last_name": "B", "nickname": None, "avatar_url": None}


FEED = ("GET", "/api/feed")
LOGOUT = ("POST", "/api/auth/logout")


@pytest.mark.parametrize(
    ("route", "status", "body", "why"),
    [
        (FEED, 200, {"items": [CARD], "next": None}, "not the documented shape"),  # not posts
        (FEED, 200, {"items": [], "next": None, "extra": 1}, "not the documented shape"),
        (FEED, 418, {"error": {"code": "teapot", "message": "no"}}, "a status"),
        (FEED, 404, {"error": {"code": "not_found", "message": "no"}}, "a status"),  # no id
        (FEED, 401, {"error": {"code": "unauthenticated"}}, "not the documented shape"),
        # 403 is documented for logout, but only as forbidden_origin.
        (LOGOUT, 403, {"error": {"code": "forbidden", "message": "no"}}, "not the documented"),
        (("GET", "/api/nothing"), 200, {}, "a success from a route the document does not have"),
    ],
)
def test_a_response_that_strays_from_the_document_is_caught(route, status, body, why):
    with pytest.raises(contract.ContractBroken, match=why):
        contract.check_response(_answer(*route, status, body))


def test_a_response_as_documented_passes():
    contract.check_response(_answer("GET", "/api/feed", 200, {"items": [], "next": None}))
    contract.check_response(
        _answer(
            "GET", "/api/users/7", 404, {"error": {"code": "not_found", "message": "No such user."}}
        )
    )
    contract.check_response(
        _answer(
            "GET",
            "/api/users/me/export",
            401,
            {"error": {"code": "unauthenticated", "message": "Please log in."}},
        )
    )


def test_the_shapes_name_the_kinds_the_database_allows():
    from server import shapes
    from server.db import schema as tables

    assert tuple(shapes.NOTIFICATION_SUBJECTS) == tables.NOTIFICATION_KINDS
    assert shapes.EVENT_RESPONSES == tables.EVENT_RESPONSES
    assert shapes.PRIVACY["enum"] == list(tables.POST_PRIVACIES)
