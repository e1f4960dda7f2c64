"""docs/api.md is generated from the code (server/apidocs.py, `make docs`): its reference
parts must be what the code says now."""

from __future__ import annotations

from server import apidocs
from server.realtime import protocol


def test_docs_api_md_is_current():
    current = apidocs.API_MD.read_text()
    assert apidocs.rendered(current, apidocs.sections()) == current, "stale: run `make docs`"


def test_a_stale_part_is_caught(tmp_path):
    stale = tmp_path / "api.md"
    stale.write_text(apidocs.API_MD.read_text().replace("#### `GET /api/feed`", "#### `GET /feed`"))
    assert apidocs.main(["--check"], path=stale) == 1
    assert apidocs.main([], path=stale) == 0
    assert stale.read_text() == apidocs.API_MD.read_text()


def test_every_route_and_frame_is_in_docs_api_md():
    text = apidocs.API_MD.read_text()
    document = apidocs.openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == "/ws":
                continue
            assert f"#### `{method.upper()} {path}`" in text
            for status in operation["responses"]:
                assert f"{status} " in text or f"`{status}`" in text
    for wire_type in (*protocol.CLIENT_FRAMES, *protocol.SERVER_FRAMES):
        assert f"| `{wire_type}` |" in text


def test_every_client_frame_is_described():
    assert list(protocol.CLIENT_FRAME_TYPES) == list(protocol.CLIENT_FRAMES)
