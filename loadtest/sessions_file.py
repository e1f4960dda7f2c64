"""The sessions file: the users `socialnet seed` made and their live session tokens, which
`socialnet load` and `socialnet baseline` read. Kept apart from the seeding so that reading it
needs nothing of the server."""

from __future__ import annotations

import json
import os
from pathlib import Path

PASSWORD = "loadtest-password"  # every seeded user's
SESSIONS_FILE_MODE = 0o600


class NoSessions(Exception):
    """The sessions file is missing or is not one `socialnet seed` wrote (one line to say)."""


def read_sessions(sessions_file: Path) -> list[dict]:
    """The users `write_sessions` stored: {"user_id", "email", "token"} each, in seed order."""
    seed_it = f"run `socialnet seed --users N --sessions {sessions_file}` against the server"
    try:
        users = json.loads(sessions_file.read_text())["users"]
    except FileNotFoundError:
        raise NoSessions(f"no sessions file at {sessions_file}: {seed_it}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NoSessions(f"{sessions_file} is not a sessions file ({error}): {seed_it}") from None
    if not isinstance(users, list):
        raise NoSessions(f"{sessions_file} is not a sessions file: {seed_it}")
    return users


def write_sessions(sessions_file: Path, created: list[dict]) -> None:
    """The file holds live session tokens: readable by its owner only (0600), also when a
    previous run left it with a wider mode."""
    sessions_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(sessions_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SESSIONS_FILE_MODE)
    with open(fd, "w") as file:
        os.fchmod(fd, SESSIONS_FILE_MODE)
        file.write(json.dumps({"password": PASSWORD, "users": created}))
