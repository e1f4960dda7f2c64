"""The quart-trio application: blueprints, guards, error mapping, limits."""

from __future__ import annotations

from quart_trio import QuartTrio
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as RoutingMismatch

from server.config import Config
from server.db.database import Database
from server.http import (
    auth,
    chats,
    client,
    errors,
    events,
    follows,
    groups,
    guards,
    health,
    media,
    notifications,
    posts,
    users,
)
from server.http.context import Services
from server.media import MAX_IMAGE_BYTES
from server.realtime import endpoint
from server.realtime.chat import ChatHandlers
from server.realtime.router import Router
from server.realtime.writer import MessageWriter

# An upload is one image (10 MiB at most) plus a few short fields. A larger body is refused
# before it is read; a smaller one with an oversized image gets the same 413 from the media check.
MAX_BODY_BYTES = MAX_IMAGE_BYTES + 1024 * 1024
MAX_ID = 2**63 - 1


class IdConverter(BaseConverter):
    """A database id: digits that fit a BIGINT, so no id in a URL can overflow a query."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise RoutingMismatch()
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class SocialnetApp:
    """The ASGI application: /ws goes to the realtime core, everything else to Quart."""

    def __init__(self, http: QuartTrio, services: Services):
        self.http = http
        self.services = services

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "websocket" and scope["path"] == endpoint.PATH:
            await endpoint.serve_socket(self.services, scope, receive, send)
        else:
            await self.http(scope, receive, send)


def create_app(config: Config, db: Database, router: Router, writer: MessageWriter) -> SocialnetApp:
    app = QuartTrio("socialnet")
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=256 * 1024,
        MAX_FORM_PARTS=200,
        BODY_TIMEOUT=60,
        RESPONSE_TIMEOUT=60,
        PROVIDE_AUTOMATIC_OPTIONS=True,
    )
    # Keys in the order the shapes build them (server/shapes.py); sorting every object of every
    # response is work no client needs.
    app.json.sort_keys = False
    app.url_map.converters["id"] = IdConverter
    services = Services(
        config=config,
        db=db,
        router=router,
        frame_handlers=ChatHandlers(db, router, writer).table(),
    )
    app.extensions["socialnet"] = services
    # A logout on any process reaches every router over the bus: forget the session here too.
    router.on_session_ended.append(services.sessions.forget)

    app.before_request(guards.guard_request)
    app.after_request(guards.refresh_session_cookie)
    app.after_request(guards.close_after_early_refusal)
    errors.install(app)

    for module in (
        health,
        auth,
        users,
        follows,
        posts,
        groups,
        events,
        chats,
        notifications,
        media,
    ):
        app.register_blueprint(module.blueprint)
    # Last: its catch-all route must not shadow the API.
    app.register_blueprint(client.blueprint)
    return SocialnetApp(app, services)
