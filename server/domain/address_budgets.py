"""The small budgets per client address (SPEC.md, Rate limits): login 25 per 5 minutes,
register 5 per 30 minutes, password-reset requests 5 per 30 minutes, uploads 30 per 30
minutes. They are counted in Postgres, so every worker and every host counts them together and
the numbers hold exactly as SPEC.md says, whichever process a client's connections reach. A hit
costs a short transaction; these routes cost far more anyway (Argon2, image decoding). The large
budget of other writes, and chat sends, stay in each process's memory (server/ratelimit.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import trio

from server import periodic
from server.db import address_budgets as rows
from server.db.database import Database
from server.errors import Unavailable
from server.ratelimit import LOGIN, PASSWORD_RESET, REGISTER, UPLOAD, Budget

log = logging.getLogger("socialnet.ratelimits")

BUDGETS: dict[str, Budget] = {
    "login": LOGIN,
    "register": REGISTER,
    "password_reset": PASSWORD_RESET,
    "upload": UPLOAD,
}
LONGEST = timedelta(seconds=max(budget.seconds for budget in BUDGETS.values()))
FORGET_EVERY_SECONDS = 3600.0


class AddressBudgets:
    def __init__(self, db: Database, *, enabled: bool, clock: Callable[[], float] = time.time):
        self._db = db
        self.enabled = enabled
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    async def hit(self, name: str, client: str) -> float:
        """Spend one of `client`'s hits of the budget and return 0, or count nothing and return
        the seconds until one is free. Always 0 when the budgets are off."""
        if not self.enabled:
            return 0.0
        budget, now = BUDGETS[name], self._now()
        window = timedelta(seconds=budget.seconds)
        oldest = await self._db.transaction(rows.hit, name, client, now, window, budget.limit)
        return 0.0 if oldest is None else (oldest + window - now).total_seconds()

    async def forget_idle(self, *, task_status=trio.TASK_STATUS_IGNORED) -> None:
        """Forget, at start and hourly, the clients whose hits have all left their windows."""
        await periodic.every(FORGET_EVERY_SECONDS, self._forget_once, task_status=task_status)

    async def _forget_once(self) -> None:
        try:
            await self._db.run(rows.delete_idle, self._now(), LONGEST)
        except Unavailable:
            log.warning("could not forget idle address budgets: the database is away")
