"""One place where errors become API.md's JSON: domain errors, Quart/Werkzeug HTTP errors, and
anything unexpected (a 500 that names no internals)."""

from __future__ import annotations

import logging

from quart import Quart, request
from werkzeug.exceptions import HTTPException

from server.errors import (
    ApiError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ValidationError,
)

log = logging.getLogger("socialnet.http")

_HTTP_TO_API: dict[int, type[ApiError]] = {
    400: ValidationError,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
}


def _json(error: ApiError):
    return error.to_json(), error.status


def install(app: Quart) -> None:
    @app.errorhandler(ApiError)
    async def api_error(error: ApiError):
        if isinstance(error, RateLimited):
            return error.to_json(), error.status, {"Retry-After": str(error.retry_after)}
        return _json(error)

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException):
        status = error.code or 500
        api_class = _HTTP_TO_API.get(status)
        if api_class is None:
            if status >= 500:
                log.error("http error %s on %s %s", status, request.method, request.path)
                return {"error": {"code": "internal_error", "message": "Server error."}}, status
            api = ApiError(error.description or "Bad request.")
            api.status = status
            return _json(api)
        if api_class is ValidationError:
            return _json(ValidationError("The request could not be read."))
        return _json(api_class())

    @app.errorhandler(Exception)
    async def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return {"error": {"code": "internal_error", "message": "Server error."}}, 500
