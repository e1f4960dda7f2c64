"""Registration and login rules (SPEC.md, Accounts and sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg
from email_validator import EmailNotValidError, validate_email

from server.db import media, users
from server.db.users import User
from server.domain.inputs import clean_text, unusable_character
from server.domain.passwords import check_new_password
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


def parse_bool(value: object, *, field: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise ValidationError(fields={field: "must be true or false"})


def check_password(value: object) -> str:
    return check_new_password(value, field="password")


def parse_login(body: dict) -> tuple[str, str]:
    """(email, password) as typed: any text the product can store. Whether they match an
    account is the session's question (a wrong one is 401, never a hint which was wrong)."""
    problems: dict[str, str] = {}
    for name in ("email", "password"):
        value = body.get(name)
        if not isinstance(value, str) or not value:
            problems[name] = "required"
        elif (problem := unusable_character(value)) is not None:
            problems[name] = problem
    if problems:
        raise ValidationError(fields=problems)
    return body["email"], body["password"]


def parse_registration(form: dict[str, object], *, today: date) -> Registration:
    """Check every field and report every problem at once, keyed by field name."""
    problems: dict[str, str] = {}
    values: dict[str, object] = {}

    def attempt(name: str, parse) -> None:
        try:
            values[name] = parse()
        except ValidationError as error:
            problems.update(error.fields or {name: error.message})

    attempt("email", lambda: normalise_email(form.get("email")))
    attempt("password", lambda: check_password(form.get("password")))
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        attempt(
            name,
            lambda name=name, label=label: clean_text(
                form.get(name), field=name, max_length=MAX_NAME_LENGTH, required=True, label=label
            ),
        )
    attempt("date_of_birth", lambda: parse_birth_date(form.get("date_of_birth"), today=today))
    attempt(
        "nickname",
        lambda: clean_text(form.get("nickname"), field="nickname", max_length=MAX_NICKNAME_LENGTH),
    )
    attempt(
        "about_me",
        lambda: clean_text(form.get("about_me"), field="about_me", max_length=MAX_ABOUT_ME_LENGTH),
    )
    attempt("is_public", lambda: parse_bool(form.get("is_public"), field="is_public", default=True))
    if problems:
        raise ValidationError(fields=problems)
    return Registration(**values)  # type: ignore[arg-type]


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
