"""Housekeeping that runs at a service's start and then at a fixed interval (expired sessions,
unused media, idle budgets): one loop for all of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NoReturn

import trio


async def every(
    seconds: float, chore: Callable[[], Awaitable[None]], *, task_status=trio.TASK_STATUS_IGNORED
) -> NoReturn:
    """Run `chore` now (the service is ready once it is done), then every `seconds`. The chore
    handles its own failures: one that raises ends the service, as any bug would."""
    await chore()
    task_status.started()
    while True:
        await trio.sleep(seconds)
        await chore()
