"""The access log: one line per request (and per WebSocket upgrade: 101, or its refusal), and
a request id on every response.

An ASGI middleware around the whole application (server/service.py), so /ws, which bypasses
Quart, is logged like any route. It sees only the messages that start and end a response (the
WebSocket's frames are written below ASGI, server/wire.py): nothing per frame.

The request id is the client's `X-Request-Id` when the peer is a trusted proxy
(SOCIALNET_TRUSTED_PROXIES: nginx passes its own `$request_id`), else one made here; it is sent
back as `X-Request-Id` and rides on every log line the request causes (server/logs.py).
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable

from quart import request

from server import metrics
from server.addresses import is_trusted_peer
from server.config import Network
from server.logs import RequestContext, current_request

log = logging.getLogger("socialnet.access")

HEADER = b"x-request-id"
# What a request id from a proxy may be (nginx's $request_id is 32 hex digits; a UUID has
# dashes): anything else is replaced, so nothing a client sends lands raw in the logs.
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
# Ids made here: a prefix random per process and a counter (no system call per request).
_PREFIX = secrets.token_hex(4)
_counter = itertools.count(1)

# A request the client abandoned before any answer (nginx's convention).
CLIENT_CLOSED = 499


def new_request_id() -> str:
    return f"{_PREFIX}-{next(_counter):x}"


class Exchange:
    """One request's facts as they arrive; logged once, when its answer is complete."""

    __slots__ = ("context", "method", "path", "kind", "started", "status", "bytes", "done")

    def __init__(self, context: RequestContext, scope) -> None:
        self.context = context
        self.kind = scope["type"]
        self.method = scope.get("method", "GET")
        self.path = scope["path"]
        self.started = time.perf_counter()
        self.status: int | None = None
        self.bytes = 0
        self.done = False


# Called with every completed exchange: the access line, and the metrics (server/metrics.py).
Observer = Callable[[Exchange, float], None]


def log_exchange(exchange: Exchange, seconds: float) -> None:
    context = exchange.context
    fields = {
        "method": exchange.method,
        "path": exchange.path,
        "status": exchange.status,
        "bytes": exchange.bytes,
        "ms": round(seconds * 1000, 2),
        "request_id": context.request_id,
    }
    if context.user_id is not None:
        fields["user_id"] = context.user_id
    level = logging.WARNING if (exchange.status or 0) >= 500 else logging.INFO
    log.log(level, "request", extra={"fields": fields})


def record_exchange(exchange: Exchange, seconds: float) -> None:
    """The request in the metrics, by its URL rule: never the raw path (a label per post id
    would grow without end)."""
    route = exchange.context.route
    if route is None:
        route = "/ws" if exchange.kind == "websocket" else "unmatched"
    metrics.http_request(route, exchange.method, exchange.status or 0, seconds)


async def note_route() -> None:
    """Quart's first before-request hook: the URL rule that matched (none for a 404)."""
    context = current_request.get()
    if context is not None and request.url_rule is not None:
        context.route = request.url_rule.rule


class AccessLog:
    """ASGI middleware: the request id, the access line, and whatever else observes requests."""

    def __init__(self, app, trusted_proxies: tuple[Network, ...], observers: list[Observer]):
        self.app = app
        self.trusted_proxies = trusted_proxies
        self.observers = observers

    def _request_id(self, scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == HEADER:
                client = scope.get("client")
                if client and is_trusted_peer(client[0], self.trusted_proxies):
                    offered = value.decode("latin-1")
                    if ACCEPTED_ID.fullmatch(offered):
                        return offered
                break
        return new_request_id()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        context = RequestContext(self._request_id(scope))
        exchange = Exchange(context, scope)
        header = (HEADER, context.request_id.encode())

        async def observed_send(message) -> None:
            kind = message["type"]
            final = False
            if kind in ("http.response.start", "websocket.http.response.start"):
                exchange.status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            elif kind in ("http.response.body", "websocket.http.response.body"):
                exchange.bytes += len(message.get("body", b""))
                final = not message.get("more_body", False)
            elif kind == "websocket.accept":
                exchange.status = 101
                message = {**message, "headers": [*message.get("headers", ()), header]}
                final = True
            elif kind == "websocket.close" and exchange.status is None:
                exchange.status = 403  # closed before accepting: hypercorn answers 403
                final = True
            if final:
                # Logged as the last of it leaves: the line is written by the time the client
                # has the whole answer.
                self._finish(exchange)
            await send(message)

        token = current_request.set(context)
        try:
            await self.app(scope, receive, observed_send)
        except Exception:
            if exchange.status is None:
                exchange.status = 500  # what hypercorn answers for an application that failed
            raise
        finally:
            if not exchange.done:
                if exchange.status is None:  # no answer at all: the client left first
                    exchange.status = CLIENT_CLOSED
                self._finish(exchange)
            current_request.reset(token)

    def _finish(self, exchange: Exchange) -> None:
        if exchange.done:
            return
        exchange.done = True
        seconds = time.perf_counter() - exchange.started
        for observe in self.observers:
            observe(exchange, seconds)
