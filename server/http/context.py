"""What a handler needs from the running process: the database, the config, the viewer."""

from __future__ import annotations

from dataclasses import dataclass

from quart import current_app, g

from server.config import Config
from server.db.database import Database
from server.errors import Unauthenticated


@dataclass
class Services:
    """Everything the app reaches beyond the request; set once by create_app."""

    config: Config
    db: Database
    # The realtime router arrives with the realtime core; HTTP writes hand it nothing directly
    # (Postgres NOTIFY is the bus), but logout asks it to close a session's sockets.
    router: object | None = None


def services() -> Services:
    return current_app.extensions["socialnet"]


def db() -> Database:
    return services().db


def config() -> Config:
    return services().config


def viewer_id() -> int:
    """The logged-in user's id; the session guard has already refused anonymous requests."""
    user_id = getattr(g, "user_id", None)
    if user_id is None:
        raise Unauthenticated()
    return user_id
