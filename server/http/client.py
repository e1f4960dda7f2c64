"""The built Svelte client, served by the same process so the browser sees one origin."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, send_file
from werkzeug.security import safe_join

from server.errors import NotFound
from server.http.context import config

blueprint = Blueprint("client", __name__)

# Vite fingerprints these file names: they never change, so browsers may keep them.
IMMUTABLE_PREFIX = "_app/immutable/"


@blueprint.get("/")
@blueprint.get("/<path:path>")
async def client_page(path: str = ""):
    """A static file of the client, or its index.html for any in-app route."""
    if path.startswith(("api/", "media/")) or path in ("api", "media", "ws"):
        raise NotFound()
    root = config().client_dir
    if root is None:
        raise NotFound("The client is not built; run `make install`.")
    candidate = safe_join(str(root), path) if path else None
    if candidate is not None and _is_file(candidate):
        response = await send_file(candidate)
        if path.startswith(IMMUTABLE_PREFIX):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
    index = root / "index.html"
    if not index.is_file():
        raise NotFound("The client is not built; run `make install`.")
    response = await send_file(index)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _is_file(path: str) -> bool:
    return Path(path).is_file()
