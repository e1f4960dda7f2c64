"""The built Svelte client, served by the same process so the browser sees one origin."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, send_file
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from server.errors import NotFound
from server.http.context import config

blueprint = Blueprint("client", __name__)


class ClientPathConverter(PathConverter):
    """A path of the client's: anything but the API's, the images' and the socket's. The
    catch-all must not match those at all; matching them for GET alone made every other
    method on an unknown API path a 405 instead of the API's 404."""

    regex = r"(?!(?:api|media|ws)(?:/|$))[^/].*?"


# Vite fingerprints these file names: they never change, so browsers may keep them.
IMMUTABLE_PREFIX = "_app/immutable/"


@blueprint.get("/")
@blueprint.get("/<client_path:path>")
async def client_page(path: str = ""):
    """A static file of the client, or its index.html for any in-app route."""
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
