"""Health (liveness and readiness) and the living OpenAPI document.

- `GET /api/health`: API.md's, unchanged: 200 once the database answers, else 503.
- `GET /api/health/live`: the process serves HTTP (no database question): for a supervisor
  deciding whether to restart it. Also says the product's version.
- `GET /api/health/ready`: the database answers and this process's bus listens, so that a
  request and a socket would be served fully: for a load balancer deciding whether to send
  traffic. 503 with what is missing otherwise.
"""

from __future__ import annotations

import trio
from quart import Blueprint, current_app

from server.config import product_version
from server.db.database import ping
from server.errors import Unavailable
from server.http import openapi
from server.http.context import db, services
from server.http.contract import declare
from server.schema import STRING, enum, obj

blueprint = Blueprint("health", __name__, url_prefix="/api")

# How long readiness waits for the database before saying it is not ready.
READY_DATABASE_SECONDS = 2.0

OK = enum("ok")
READY_CHECKS = {"database": enum("ok", "unreachable"), "bus": enum("ok", "not listening")}


@blueprint.get("/health")
@declare(answers={200: obj({"status": OK})})
async def health():
    """200 once the database answers."""
    await db().run(ping)
    return {"status": "ok"}


@blueprint.get("/health/live")
@declare(answers={200: obj({"status": OK, "version": STRING})}, database=False)
async def live():
    """200 while the process serves; its version."""
    return {"status": "ok", "version": product_version()}


@blueprint.get("/health/ready")
@declare(
    answers={
        200: obj({"status": OK, **READY_CHECKS}),
        503: obj(
            {"error": {"$ref": "#/components/schemas/Error/properties/error"}, **READY_CHECKS}
        ),
    }
)
async def ready():
    """200 when the database answers and the bus listens; else 503 saying which is missing."""
    database = "unreachable"
    with trio.move_on_after(READY_DATABASE_SECONDS):
        try:
            await db().run(ping)
            database = "ok"
        except Unavailable:
            pass
    bus = "ok" if services().bus_ready() else "not listening"
    checks = {"database": database, "bus": bus}
    if database == "ok" and bus == "ok":
        return {"status": "ok", **checks}
    missing = ", ".join(f"{name} {state}" for name, state in checks.items() if state != "ok")
    error = {"code": "unavailable", "message": f"Not ready: {missing}."}
    return {"error": error, **checks}, 503


@blueprint.get("/openapi.json")
@declare(answers={200: {"type": "object", "description": "this document"}}, database=False)
async def openapi_document():
    """This API as OpenAPI 3.1, built from the routes the app really serves."""
    return openapi.document(current_app)
