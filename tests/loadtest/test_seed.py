"""`socialnet seed`'s sessions file holds live session tokens: for its owner's eyes only."""

from __future__ import annotations

import json
import stat

from loadtest.sessions_file import write_sessions


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sessions_file_is_readable_by_its_owner_only(tmp_path):
    sessions = tmp_path / "data" / "load-sessions.json"
    write_sessions(sessions, [{"user_id": 1, "email": "load0@load.test", "token": "t0"}])
    assert mode(sessions) == 0o600
    assert json.loads(sessions.read_text())["users"][0]["token"] == "t0"


def test_a_sessions_file_left_readable_is_closed_when_rewritten(tmp_path):
    sessions = tmp_path / "load-sessions.json"
    sessions.write_text("{}")
    sessions.chmod(0o644)
    write_sessions(sessions, [])
    assert mode(sessions) == 0o600
    assert json.loads(sessions.read_text())["users"] == []
