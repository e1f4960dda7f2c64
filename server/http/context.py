"""What a handler needs from the running process: the database, the config, the viewer."""

from __future__ import annotations

from dataclasses import dataclass, field

from quart import current_app, g

from server.config import Config
from server.db.database import Database
from server.errors import Unauthenticated
from server.http.session_cache import SessionCache
from server.realtime.router import Router


@dataclass
class Services:
    """Everything the app reaches beyond the request; set once by create_app."""

    config: Config
    db: Database
    # The process's realtime router: the /ws endpoint registers actors with it. HTTP writes never
    # call it directly; they publish on the bus (Postgres NOTIFY) inside their transaction.
    router: Router
    # WebSocket frame type -> handler (chat frames register theirs here).
    frame_handlers: dict = field(default_factory=dict)
    # Live sessions recently seen (server/http/session_cache.py).
    sessions: SessionCache = field(default_factory=SessionCache)


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
