"""Budgets per client address (SPEC.md, Rate limits), charged before a request's body is read:
login, register and password-reset requests each have their own, every other unsafe request
spends the general write budget, and a request that carries a file also spends the upload
budget. The small budgets (login, register, password reset, uploads) are counted in Postgres,
together for every process (server/domain/address_budgets.py); the general write budget is
this process's share (server/ratelimit.py).

A refusal answers 429 rate_limited with Retry-After; one made before the body was read also
closes the connection (guards.close_after_early_refusal).
"""

from __future__ import annotations

from quart import current_app, g, request

from server import addresses
from server.errors import RateLimited
from server.http.context import services

# Routes with a budget of their own (the password-reset route spends its budget when it lands).
LOGIN_PATH = "/api/auth/login"
REGISTER_PATH = "/api/auth/register"
PASSWORD_RESET_PATH = "/api/auth/password-reset"
UPLOAD_MESSAGE = "Too many uploads from your address; try again later."


def client_key() -> str:
    """The key of the requesting client's budgets (server/addresses.py), once per request."""
    key = getattr(g, "client_key", None)
    if key is None:
        address = addresses.client_address(
            request.remote_addr,
            request.headers.getlist("X-Forwarded-For"),
            services().limits.trusted_proxies,
        )
        key = g.client_key = addresses.budget_key(address)
    return key


# Routes whose budget is one of the small ones, counted in Postgres.
SMALL_BUDGETS = {
    LOGIN_PATH: "login",
    REGISTER_PATH: "register",
    PASSWORD_RESET_PATH: "password_reset",
}


async def charge_unsafe_request() -> None:
    """Spend the request's budget, or refuse it (RateLimited) before its body is read. A body
    that surely carries a file spends the upload budget now, so that when it is spent the body
    is never read."""
    limits = services().limits
    if not limits.enabled:
        return
    key = client_key()
    small = SMALL_BUDGETS.get(request.path)
    if small is not None:
        wait = await services().address_budgets.hit(small, key)
    else:
        wait = limits.hit(limits.write, key)
    if wait:
        raise RateLimited(wait)
    if _surely_an_upload():
        await charge_upload()


async def charge_upload() -> None:
    """A file arrives with this request: spend the upload budget once, or refuse
    (RateLimited) before the file is decoded or stored."""
    if not services().limits.enabled or getattr(g, "upload_charged", False):
        return
    g.upload_charged = True
    wait = await services().address_budgets.hit("upload", client_key())
    if wait:
        raise RateLimited(wait, UPLOAD_MESSAGE)


def _surely_an_upload() -> bool:
    """A multipart body larger than its fields may be (app.py's form limit) carries a file:
    when the upload budget is spent, it is refused before it is read."""
    return (
        request.mimetype == "multipart/form-data"
        and (request.content_length or 0) > current_app.config["MAX_FORM_MEMORY_SIZE"]
    )
