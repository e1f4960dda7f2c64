"""Domain errors. Domain code raises these; the HTTP layer maps them to API.md's JSON errors
and the WebSocket layer to error frames. Nothing below the boundary builds a response."""

from __future__ import annotations

import math


class ApiError(Exception):
    status = 400
    code = "bad_request"
    message = "Bad request."

    def __init__(self, message: str | None = None, *, fields: dict[str, str] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields

    def to_json(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class ValidationError(ApiError):
    status = 422
    code = "validation_error"
    message = "Some fields are not valid."


class Unauthenticated(ApiError):
    status = 401
    code = "unauthenticated"
    message = "Please log in."


class InvalidCredentials(ApiError):
    status = 401
    code = "invalid_credentials"
    message = "Wrong email or password."


class Forbidden(ApiError):
    status = 403
    code = "forbidden"
    message = "You may not do that."


class ForbiddenOrigin(Forbidden):
    code = "forbidden_origin"
    message = "This request comes from an origin that is not allowed."


class PrivateProfile(Forbidden):
    code = "private_profile"
    message = "This profile is private."


class ChatNotAllowed(Forbidden):
    code = "chat_not_allowed"
    message = "You can message people you follow or who follow you, and groups you belong to."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(ApiError):
    status = 409
    code = "conflict"
    message = "That conflicts with the current state."


class EmailTaken(Conflict):
    code = "email_taken"
    message = "This email is already registered."


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"
    message = "The upload is too large."


class UnsupportedMedia(ApiError):
    status = 415
    code = "unsupported_media"
    message = "Only JPEG, PNG and GIF images are accepted."


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"
    message = "Too many requests; slow down."

    def __init__(self, retry_after: float, message: str | None = None):
        super().__init__(message)
        # Whole seconds, as the Retry-After header says it; never 0, which would mean "now".
        self.retry_after = max(1, math.ceil(retry_after))


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"
    message = "This method is not allowed here."


class Unavailable(ApiError):
    status = 503
    code = "unavailable"
    message = "The service is briefly unavailable; try again in a moment."
