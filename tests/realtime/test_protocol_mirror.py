"""The client's protocol module mirrors server/realtime/protocol.py one to one: the same client
frame types, server frame types and close codes, so neither side can add or rename one alone."""

from __future__ import annotations

import re

from server.config import REPO_ROOT
from server.realtime import protocol

PROTOCOL_JS = REPO_ROOT / "client" / "src" / "lib" / "realtime" / "protocol.js"


def js_table(name: str) -> dict[str, str]:
    """`export const NAME = Object.freeze({ KEY: value, ... })` as {KEY: value text}."""
    source = PROTOCOL_JS.read_text()
    body = re.search(rf"export const {name} = Object\.freeze\(\{{(.*?)\}}\);", source, re.S)
    assert body, f"no {name} table in {PROTOCOL_JS}"
    without_comments = re.sub(r"/\*.*?\*/|//[^\n]*", "", body.group(1), flags=re.S)
    return dict(re.findall(r"(\w+):\s*('[^']*'|\d+)", without_comments))


def test_client_frame_types_are_the_same():
    types = {value.strip("'") for value in js_table("CLIENT").values()}
    assert types == set(protocol.CLIENT_FRAMES)


def test_server_frame_types_are_the_same():
    types = {value.strip("'") for value in js_table("SERVER").values()}
    assert types == set(protocol.SERVER_FRAMES)


def test_close_codes_are_the_same():
    server = {
        name.removeprefix("CLOSE_"): value
        for name, value in vars(protocol).items()
        if name.startswith("CLOSE_") and isinstance(value, int)
    }
    client = {name: int(value) for name, value in js_table("CLOSE").items()}
    assert client == server
