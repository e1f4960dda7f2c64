"""Every realtime test that starts a server runs on each engine of the bus: Postgres NOTIFY, a
real Redis, and a real three-node Redis Cluster (sharded pub/sub), so that one process or two
behave the same whichever carries their events."""

from __future__ import annotations

import pytest

from tests.conftest import BUS_ENGINES


@pytest.fixture(params=list(BUS_ENGINES))
def bus_url(request) -> str:
    fixture = BUS_ENGINES[request.param]
    return "postgres" if fixture is None else request.getfixturevalue(fixture)
