"""Registration and login rules (SPEC.md, Accounts and sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
from email_validator import EmailNotValidError, validate_email

from server.db import media, users
from server.db.users import User
from server.domain.inputs import Boolean, Check, Fields, Text, Upload, clean_text
from server.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, check_new_password
from server.domain.sessions import open_session
from server.errors import EmailTaken, ValidationError
from server.media import StoredImage

MAX_NAME_LENGTH = 100
MAX_NICKNAME_LENGTH = 50
MAX_ABOUT_ME_LENGTH = 2000
MAX_EMAIL_LENGTH = 254
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    first_name: str
    last_name: str
    date_of_birth: date
    nickname: str | None
    about_me: str | None
    is_public: bool


def normalise_email(value: object) -> str:
    """Valid syntax, no deliverability lookup (no network here); the domain lower-cased."""
    text = clean_text(
        value, field="email", max_length=MAX_EMAIL_LENGTH, required=True, label="email"
    )
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(fields={"email": str(error)}) from None


def parse_birth_date(value: object, *, today: date) -> date:
    text = clean_text(
        value, field="date_of_birth", max_length=10, required=True, label="date of birth"
    )
    try:
        born = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(fields={"date_of_birth": "a real date as YYYY-MM-DD"}) from None
    if len(text) != 10:
        raise ValidationError(fields={"date_of_birth": "a real date as YYYY-MM-DD"})
    if born >= today:
        raise ValidationError(fields={"date_of_birth": "must be in the past"})
    if born < EARLIEST_BIRTH_DATE:
        raise ValidationError(fields={"date_of_birth": "must not be before 1900"})
    return born


def check_password(value: object) -> str:
    return check_new_password(value, field="password")


def birth_date_today(value: object) -> date:
    return parse_birth_date(value, today=datetime.now(UTC).date())


EMAIL = Check(
    normalise_email,
    {"type": "string", "format": "email", "minLength": 1, "maxLength": MAX_EMAIL_LENGTH},
)
NEW_PASSWORD = {
    "type": "string",
    "minLength": MIN_PASSWORD_LENGTH,
    "maxLength": MAX_PASSWORD_LENGTH,
}
BIRTH_DATE = {
    "type": "string",
    "format": "date",
    "description": "YYYY-MM-DD, in the past, from 1900 on",
}

# The register form (multipart), every problem reported at once, keyed by field name.
REGISTRATION = Fields(
    email=EMAIL,
    password=Check(check_password, NEW_PASSWORD),
    first_name=Text(max_length=MAX_NAME_LENGTH, required=True, label="first name"),
    last_name=Text(max_length=MAX_NAME_LENGTH, required=True, label="last name"),
    date_of_birth=Check(birth_date_today, BIRTH_DATE),
    nickname=Text(max_length=MAX_NICKNAME_LENGTH),
    about_me=Text(max_length=MAX_ABOUT_ME_LENGTH),
    is_public=Boolean(default=True),
    avatar=Upload(),
)


def parse_registration(form: dict[str, str]) -> Registration:
    """The register form's fields as text (the operator's `admin users create` too)."""
    return Registration(**REGISTRATION.parse_text(form))


async def create_account(conn: asyncpg.Connection, form: Registration, password_hash: str) -> User:
    """The account alone (no avatar, no session): registration's first step, and the operator's
    `socialnet admin users create`. EmailTaken when the email is registered (any letter case)."""
    user = await users.insert_user(
        conn,
        email=form.email,
        password_hash=password_hash,
        first_name=form.first_name,
        last_name=form.last_name,
        date_of_birth=form.date_of_birth,
        nickname=form.nickname,
        about_me=form.about_me,
        is_public=form.is_public,
    )
    if user is None:
        raise EmailTaken(fields={"email": "already registered"})
    return user


async def register(
    conn: asyncpg.Connection,
    form: Registration,
    password_hash: str,
    avatar: StoredImage | None,
    user_agent: str | None = None,
) -> tuple[User, str]:
    """Create the account (its avatar already processed) and its first session:
    (the user, the session token). EmailTaken when the email is registered (any letter case)."""
    user = await create_account(conn, form, password_hash)
    if avatar is not None:
        row = await media.insert_image(conn, user.id, avatar)
        user = await users.update_avatar(conn, user.id, row.id)
    return user, await open_session(conn, user.id, user_agent)
