"""Profiles: who may view one (SPEC.md, Profiles), and editing one's own (PATCH /api/users/me,
the avatar)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from server.db import media, profiles, users
from server.db.users import User
from server.domain.accounts import (
    MAX_ABOUT_ME_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NICKNAME_LENGTH,
)
from server.domain.inputs import Boolean, Fields, Text
from server.errors import NotFound, PrivateProfile
from server.media import StoredImage

T = TypeVar("T")


# PATCH /api/users/me: what is absent stays as it is, unknown members are refused so typos do
# not pass silently. Names are required when given; nickname and about_me may be cleared with
# "" or null.
PROFILE_CHANGES = Fields(
    partial=True,
    closed=True,
    first_name=Text(max_length=MAX_NAME_LENGTH, required=True, label="first name"),
    last_name=Text(max_length=MAX_NAME_LENGTH, required=True, label="last name"),
    nickname=Text(max_length=MAX_NICKNAME_LENGTH),
    about_me=Text(max_length=MAX_ABOUT_ME_LENGTH),
    is_public=Boolean(),
)


async def update_me(conn: asyncpg.Connection, user_id: int, changes: dict) -> User:
    await profiles.update_profile(conn, user_id, changes)
    return await users.select_user(conn, user_id)


async def set_avatar(conn: asyncpg.Connection, user_id: int, image: StoredImage | None) -> User:
    """Replace the avatar (None removes it)."""
    media_id = None
    if image is not None:
        media_id = (await media.insert_image(conn, user_id, image)).id
    return await users.update_avatar(conn, user_id, media_id)


async def read_if_viewable(
    conn: asyncpg.Connection,
    user_id: int,
    viewer_id: int,
    read: Callable[[asyncpg.Connection], Awaitable[T]],
) -> T:
    """`read(conn)` when the viewer may view the profile; 404 for no such user, 403
    private_profile otherwise (API.md: a profile's lists are gated, its card is not)."""
    allowed = await profiles.can_view_profile(conn, user_id, viewer_id)
    if allowed is None:
        raise NotFound("No such user.")
    if not allowed:
        raise PrivateProfile()
    return await read(conn)
