"""Health and the living OpenAPI document."""

from __future__ import annotations

from quart import Blueprint, current_app

from server.db.database import ping
from server.http import openapi
from server.http.context import db

blueprint = Blueprint("health", __name__, url_prefix="/api")


@blueprint.get("/health")
async def health():
    """200 once the database answers."""
    await db().run(ping)
    return {"status": "ok"}


@blueprint.get("/openapi.json")
async def openapi_document():
    """This API as OpenAPI 3.1, built from the routes the app really serves."""
    return openapi.document(current_app)
