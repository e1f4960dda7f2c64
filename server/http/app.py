"""The quart-trio application: blueprints, guards, error mapping, limits. It serves HTTP only;
the composition root (server/service.py) sends /ws to the realtime core."""

from __future__ import annotations

from quart_trio import QuartTrio
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as RoutingMismatch

from server.domain.inputs import MAX_ID
from server.http import (
    access,
    auth,
    blocks,
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
    oidc,
    posts,
    reactions,
    search,
    users,
)
from server.http.context import Services
from server.media import MAX_IMAGE_BYTES

# An upload is one image (10 MiB at most) plus a few short fields. A larger body is refused
# before it is read; a smaller one with an oversized image gets the same 413 from the media check.
MAX_BODY_BYTES = MAX_IMAGE_BYTES + 1024 * 1024


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


def create_app(services: Services) -> QuartTrio:
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
    app.url_map.converters["client_path"] = client.ClientPathConverter
    app.extensions["socialnet"] = services

    app.before_request(access.note_route)
    app.before_request(guards.guard_request)
    app.after_request(guards.refresh_session_cookie)
    app.after_request(guards.close_after_early_refusal)
    app.after_request(guards.add_security_headers)
    errors.install(app)

    for module in (
        health,
        auth,
        oidc,
        users,
        follows,
        blocks,
        posts,
        reactions,
        search,
        groups,
        events,
        chats,
        notifications,
        media,
    ):
        app.register_blueprint(module.blueprint)
    # Last: its catch-all route must not shadow the API.
    app.register_blueprint(client.blueprint)
    return app
