"""Argon2id password hashing (argon2-cffi's defaults follow RFC 9106's recommendations).

Hashing takes tens of milliseconds of CPU on purpose: callers run these in a worker thread.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id by default

# Verified when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only a timing decoy")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
