"""Sign in with an external provider (SPEC.md, Accounts and sessions): OpenID Connect, and
GitHub's OAuth 2 as a preset (server/identity_providers.py speaks to them).

    start      a fresh state, nonce and PKCE verifier, kept server-side for ten minutes (the
               state's hash is the key) and the state in a cookie of this browser; then off to
               the provider
    callback   the state must be the cookie's and a live sign-in's (used once); the code is
               exchanged with the verifier, the ID token verified with the nonce; then:
               a known identity signs its user in; a first sign-in whose provider says the
               email is verified links to the account with that email; otherwise a new account
               is made (no password, no date of birth yet: the browser goes to
               /complete-profile before anything else)

An email the provider does not vouch for never reaches an existing account: when one already
uses it, the sign-in is refused (the person logs in with their password instead). A provider
that gives no email cannot make an account (every account has one).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import asyncpg
from email_validator import EmailNotValidError, validate_email

from server.config import ProviderSettings
from server.db import identities, users
from server.db import sessions as session_rows
from server.db.users import User
from server.domain.accounts import BIRTH_DATE, MAX_NAME_LENGTH, birth_date_today
from server.domain.inputs import Check, Fields, Text, unusable_character
from server.domain.sessions import Sessions, end_session_in
from server.errors import Conflict, NotFound, ValidationError
from server.identity_providers import (
    Attempt,
    Identity,
    IdentityProvider,
    ProviderError,
    provider_for,
)

log = logging.getLogger("socialnet.external_login")

COMPLETE_PROFILE_PATH = "/complete-profile"
MAX_NEXT_LENGTH = 500


class SignInRefused(Exception):
    """The sign-in cannot go on; `reason` tells the login page what to say."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def safe_next(value: str | None) -> str:
    """A same-origin path to go to after signing in, else "/": it starts with one slash (not
    two, not a backslash: those leave the site), and holds no control character."""
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/"):
        return "/"
    if value.startswith(("//", "/\\")) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    if unusable_character(value) is not None:
        return "/"
    return value


def needs_profile(user: User) -> bool:
    """Whether the account lacks what the register form requires (a date of birth)."""
    return user.date_of_birth is None


def destination(user: User, next_path: str) -> str:
    if needs_profile(user):
        return f"{COMPLETE_PROFILE_PATH}?next={quote(next_path, safe='/')}"
    return next_path


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: str
    destination: str


def _names(identity: Identity) -> tuple[str, str]:
    def fit(value: str | None) -> str:
        if value is None or unusable_character(value) is not None:
            return ""
        return value.strip()[:MAX_NAME_LENGTH]

    first = fit(identity.first_name)
    if not first and identity.email:
        first = fit(identity.email.partition("@")[0])
    return first, fit(identity.last_name)


async def _account_for(conn: asyncpg.Connection, provider: str, identity: Identity) -> int:
    user_id = await identities.user_of(conn, provider, identity.subject)
    if user_id is not None:
        return user_id
    if identity.email is None:
        raise SignInRefused("no_email")
    try:
        email = validate_email(identity.email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise SignInRefused("no_email") from None
    existing = await users.select_credentials(conn, email)
    if existing is not None:
        if not identity.email_verified:
            raise SignInRefused("email_unverified")
        user_id = existing.id
    else:
        first_name, last_name = _names(identity)
        user = await users.insert_user(
            conn,
            email=email,
            password_hash=None,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=None,
            nickname=None,
            about_me=None,
            is_public=True,
        )
        if user is None:  # registered meanwhile
            raise SignInRefused("email_unverified")
        user_id = user.id
    await identities.insert_identity(conn, provider, identity.subject, user_id, email)
    return user_id


async def _sign_in(
    conn: asyncpg.Connection,
    provider: str,
    identity: Identity,
    user_agent: str | None,
    replacing: int | None,
) -> tuple[User, str]:
    user_id = await _account_for(conn, provider, identity)
    if replacing is not None:
        await end_session_in(conn, replacing)
    token = await session_rows.insert_session(conn, user_id, user_agent)
    return await users.select_user(conn, user_id), token


class ExternalLogins:
    """The configured providers, and sign-ins through them."""

    def __init__(self, sessions: Sessions, providers: tuple[ProviderSettings, ...], site_url: str):
        self.sessions = sessions
        self.site_url = site_url
        self.settings = {settings.name: settings for settings in providers}
        self.providers: dict[str, IdentityProvider] = {
            settings.name: provider_for(settings) for settings in providers
        }

    def listing(self) -> list[dict[str, str]]:
        return [{"name": s.name, "label": s.label} for s in self.settings.values()]

    def _provider(self, name: str) -> IdentityProvider:
        provider = self.providers.get(name)
        if provider is None:
            raise NotFound("No such sign-in provider.")
        return provider

    def redirect_uri(self, name: str) -> str:
        return f"{self.site_url}/api/auth/oidc/{name}/callback"

    async def start(self, name: str, next_path: str | None) -> tuple[str, str]:
        """(the provider's authorization URL, the state for this browser's cookie)."""
        provider = self._provider(name)
        attempt = Attempt.new()
        try:
            url = await provider.authorization_url(attempt, self.redirect_uri(name))
        except ProviderError as error:
            log.warning("sign-in with %s cannot start: %s", name, error)
            raise SignInRefused("provider_unavailable") from None
        await self.sessions.db.transaction(_insert_login, name, attempt, safe_next(next_path))
        return url, attempt.state

    async def finish(
        self,
        name: str,
        query: dict[str, str],
        cookie_state: str | None,
        *,
        user_agent: str | None,
        replacing: int | None,
    ) -> SignedIn:
        """The provider sent the browser back: check, exchange, sign in."""
        provider = self._provider(name)
        if "error" in query:
            raise SignInRefused("provider_refused")
        state = query.get("state")
        if not state or not cookie_state or not secrets.compare_digest(state, cookie_state):
            raise SignInRefused("state")
        pending = await self.sessions.db.transaction(identities.take_login, state)
        if pending is None or pending.provider != name:
            raise SignInRefused("state")
        code = query.get("code")
        if not code:
            raise SignInRefused("provider_refused")
        attempt = Attempt(state, pending.nonce, pending.code_verifier)
        try:
            identity = await provider.identity(code, attempt, self.redirect_uri(name))
        except ProviderError as error:
            log.warning("sign-in with %s refused: %s", name, error)
            raise SignInRefused(error.reason if error.reason == "nonce" else "provider") from None
        if replacing is not None:
            self.sessions.forget(replacing)
        user, token = await self.sessions.db.transaction(
            _sign_in, name, identity, user_agent, replacing
        )
        return SignedIn(user, token, destination(user, pending.next_path))


async def _insert_login(conn: asyncpg.Connection, name: str, attempt: Attempt, next_path: str):
    await identities.insert_login(
        conn,
        state=attempt.state,
        provider=name,
        nonce=attempt.nonce,
        code_verifier=attempt.code_verifier,
        next_path=next_path,
    )


# POST /api/auth/complete-profile: {date_of_birth, first_name?, last_name?}. A name is
# required only while the account has none (complete_profile).
COMPLETION = Fields(
    date_of_birth=Check(birth_date_today, BIRTH_DATE),
    first_name=Text(max_length=MAX_NAME_LENGTH, label="first name"),
    last_name=Text(max_length=MAX_NAME_LENGTH, label="last name"),
)


async def complete_profile(conn: asyncpg.Connection, user_id: int, given: dict):
    """Give the account what the register form requires and the provider did not: a date of
    birth (COMPLETION checked it), and names when it has none. 409 when the profile is already
    complete."""
    user = await users.select_user(conn, user_id)
    if user is None:
        raise NotFound()
    if not needs_profile(user):
        raise Conflict("Your profile is already complete.")
    problems: dict[str, str] = {}
    values: dict[str, object] = {"date_of_birth": given["date_of_birth"]}
    for field, label, current in (
        ("first_name", "first name", user.first_name),
        ("last_name", "last name", user.last_name),
    ):
        if given[field] is None and not current:
            problems[field] = f"{label} is required"
        values[field] = given[field] or current
    if problems:
        raise ValidationError(fields=problems)
    updated = await users.complete_profile(
        conn, user_id, values["date_of_birth"], values["first_name"], values["last_name"]
    )
    if updated is None:
        raise Conflict("Your profile is already complete.")
    return updated
