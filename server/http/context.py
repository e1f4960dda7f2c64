"""What a handler needs from the running process: the database, the config, the viewer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quart import current_app, g

from server.config import Config
from server.db.database import Database
from server.domain.address_budgets import AddressBudgets
from server.domain.chat_writer import MessageWriter
from server.domain.external_login import ExternalLogins
from server.domain.media_sweeper import MediaSweeper
from server.domain.password_resets import PasswordResets
from server.domain.sessions import Session, Sessions
from server.errors import Unauthenticated
from server.ratelimit import RateLimits


@dataclass
class Services:
    """Everything the app reaches beyond the request; built by the composition root
    (server/service.py). HTTP writes never reach sockets directly: they publish on the bus with
    their transaction."""

    config: Config
    db: Database
    sessions: Sessions
    # The one write path of chat messages (REST sends too).
    writer: MessageWriter
    # This process's budgets: other writes per client address, and chat sends per user.
    limits: RateLimits
    # The small budgets per client address, counted together by every process.
    address_budgets: AddressBudgets
    # Unused media: swept hourly, and at once for a deleted account's images.
    sweeper: MediaSweeper
    # Password reset by email: requests queued for a task of the service nursery.
    resets: PasswordResets
    # Sign in with an external provider.
    logins: ExternalLogins
    # Whether this process's bus subscriber listens (readiness: server/http/health.py).
    bus_ready: Callable[[], bool] = lambda: True


def services() -> Services:
    return current_app.extensions["socialnet"]


def db() -> Database:
    return services().db


def config() -> Config:
    return services().config


def session() -> Session:
    """The viewer's session; the session guard has already refused anonymous requests."""
    current = getattr(g, "session", None)
    if current is None:
        raise Unauthenticated()
    return current


def viewer_id() -> int:
    """The logged-in user's id."""
    return session().user_id
