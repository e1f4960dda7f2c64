"""Reading request bodies within limits, turning every malformed body into the contract's error:
a JSON body that is not `application/json` is a 415, one that is not a readable JSON object
(invalid UTF-8, nested past any sane depth, NaN) a 422. What the fields may hold is decided by
server/domain/inputs.py."""

from __future__ import annotations

import json

from quart import request
from werkzeug.datastructures import FileStorage

from server.errors import UnsupportedMedia, ValidationError
from server.http.ratelimits import charge_upload

UNREADABLE = "The body must be a JSON object."


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


async def json_object() -> dict:
    """The body as a JSON object: 415 unless it says `application/json`, 422 unless it is one."""
    if request.mimetype != "application/json":
        raise UnsupportedMedia("Send JSON, with Content-Type: application/json.")
    raw = await request.get_data(as_text=False)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(UNREADABLE) from None
    if not isinstance(body, dict):
        raise ValidationError(UNREADABLE)
    return body


async def form_fields() -> dict[str, str]:
    """Multipart or urlencoded fields (first value of each), files excluded."""
    content_type = request.mimetype
    if content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise ValidationError("The body must be multipart/form-data.")
    form = await request.form
    return {key: form.get(key) for key in form}


async def optional_file(name: str) -> bytes | None:
    """The bytes of an uploaded file field, or None when the field is absent or empty
    (a browser sends an empty part for a file input left blank)."""
    files = await request.files
    upload: FileStorage | None = files.get(name)
    if upload is None:
        return None
    data = upload.read()
    if not data:
        return None
    await charge_upload()  # every file received spends the client's upload budget
    return data
