"""Reading request bodies within limits, turning every malformed body into a 422."""

from __future__ import annotations

from quart import request
from werkzeug.datastructures import FileStorage

from server.errors import ValidationError


async def json_object() -> dict:
    """The body as a JSON object, or a validation error."""
    body = await request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
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
    return upload.read() or None


async def form_list(name: str) -> list[str]:
    """Every value of a repeated form field, each also split on commas (`a=1&a=2` or `a=1,2`)."""
    form = await request.form
    return [
        part.strip() for value in form.getlist(name) for part in value.split(",") if part.strip()
    ]
