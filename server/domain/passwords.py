"""Argon2id password hashing.

Parameters: OWASP's recommended minimum for Argon2id (19 MiB, 2 passes, 1 lane). argon2-cffi's
own defaults (RFC 9106: 64 MiB, 3 passes, 4 lanes) cost about 0.4 s of CPU per login on a
2-core server, which turns the login route into a denial-of-service lever. Hashes made with
other parameters still verify, and are upgraded at the next login (`needs_rehash`).

Hashing takes tens of milliseconds of CPU on purpose: callers run these in a worker thread.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.domain.inputs import unusable_character
from server.errors import ValidationError

MIN_PASSWORD_LENGTH = 8
# Argon2 hashes any length, but a megabyte password is only a way to burn our CPU.
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # argon2id

# Verified when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only a timing decoy")


def check_new_password(value: object, *, field: str = "password") -> str:
    """A password a user chooses (SPEC.md: at least 8 characters); errors name `field`."""
    if not isinstance(value, str) or not value:
        raise ValidationError(fields={field: "password is required"})
    problem = unusable_character(value)
    if problem is not None:
        raise ValidationError(fields={field: problem})
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(fields={field: f"at least {MIN_PASSWORD_LENGTH} characters"})
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationError(fields={field: f"at most {MAX_PASSWORD_LENGTH} characters"})
    return value


def check_typed_password(value: object, *, field: str) -> str:
    """A password typed to prove who one is: any text we could have stored; whether it is the
    right one is checked against the hash."""
    if not isinstance(value, str) or not value:
        raise ValidationError(fields={field: "required"})
    problem = unusable_character(value)
    if problem is not None or len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationError(fields={field: "wrong password"})
    return value


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
