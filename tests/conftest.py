"""Fixtures: a real Postgres, a real server on a real socket, and people who use it.

Every response their clients receive is checked against the contract (tests/contract.py).

Personas: `alice` and `bob` have public profiles, `carol` a private one. Each persona is an
httpx client with a cookie jar of its own, logged in, so two personas are two browsers.

The bus: servers use Postgres NOTIFY unless a test (or a directory's conftest, as
tests/realtime does) asks for `bus_url` to be a real Redis or a real three-node Redis Cluster,
each started once per run (tests/redis.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import httpx
import pytest
import trio

from server.config import Config

if TYPE_CHECKING:
    from server.realtime.router import Router
from tests import contract, postgres
from tests.redis import run_redis, run_redis_cluster

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def migrated_url() -> str:
    name = f"socialnet_test_{os.getpid()}"
    url = postgres.create_migrated_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """One real Redis for the run (the bus's Redis engine, PUBLISH / SUBSCRIBE)."""
    with run_redis(tmp_path_factory.mktemp("redis")) as redis:
        yield redis.url


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory) -> str:
    """One real Redis Cluster of three primaries for the run (sharded pub/sub)."""
    with run_redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as cluster:
        yield cluster.url


# The engines a test can ask for by name, and the fixture that provides each one's URL.
BUS_ENGINES = {"postgres": None, "redis": "redis_url", "cluster": "redis_cluster_url"}


@pytest.fixture
def bus_url(request) -> str:
    """The bus of the servers a test starts: NOTIFY, unless parametrized (indirectly) with the
    name of an engine of BUS_ENGINES."""
    engine = getattr(request, "param", "postgres")
    fixture = BUS_ENGINES[engine]
    return "postgres" if fixture is None else request.getfixturevalue(fixture)


@pytest.fixture
def database_url(migrated_url: str) -> str:
    postgres.truncate_all(migrated_url)
    return migrated_url


class MovableClock:
    """The wall clock, plus however far a test has moved it on (for windows of minutes)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class RunningServer:
    url: str
    config: Config
    router: Router
    # What its rate limits read as the time: `server.clock.advance(900)` passes 15 minutes.
    clock: MovableClock

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/ws"


async def start_server(
    database_url: str, data_dir, nursery, **settings
) -> AsyncIterator[RunningServer]:
    """A server on a free port, with `settings` over the tests' Config. Its per-address rate
    limits are off unless `rate_limits=True`: every test registers its people from 127.0.0.1
    (tests/http/test_rate_limits.py tests the limits). Not the developer's environment either:
    no SMTP server and no identity providers unless a test says so."""
    config = Config(
        **{
            "port": 0,
            "data_dir": data_dir,
            "database_url": database_url,
            "client_dir": None,
            "migrate_on_start": False,
            "allowed_origins": ("http://allowed.example",),
            "rate_limits": False,
            "smtp_url": None,
            "public_url": "http://socialnet.test",
            "oidc_providers": (),
            **settings,
        }
    )
    # Imported here: trio_asyncio installs an asyncio loop policy on import, which would break
    # Playwright's own loop in the browser suite that shares this conftest.
    from server.realtime.router import Router
    from server.service import serve

    shutdown = trio.Event()
    router = Router()
    clock = MovableClock()
    urls = await nursery.start(
        partial(serve, config, shutdown=shutdown, router=router, clock=clock)
    )
    yield RunningServer(url=urls[0], config=config, router=router, clock=clock)
    shutdown.set()


@pytest.fixture
async def server(
    database_url: str, bus_url: str, tmp_path, nursery
) -> AsyncIterator[RunningServer]:
    async for running in start_server(database_url, tmp_path, nursery, bus=bus_url):
        yield running


@pytest.fixture
async def second_server(server, nursery) -> AsyncIterator[RunningServer]:
    """Another server process on the same database, data directory and bus (as behind a load
    balancer): what one writes must reach the other's sockets through the bus."""
    async for running in start_server(
        server.config.database_url, server.config.data_dir, nursery, bus=server.config.bus
    ):
        yield running


@pytest.fixture
async def new_client(server: RunningServer) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """A factory of browsers: each call is a client with a cookie jar of its own."""
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        # Every response is held to the contract (tests/contract.py).
        client = httpx.AsyncClient(base_url=server.url, timeout=10, event_hooks=contract.HOOKS)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def register(
    client: httpx.AsyncClient,
    *,
    email: str,
    first_name: str,
    last_name: str = "Example",
    is_public: bool | str = True,
    password: str = PASSWORD,
    date_of_birth: str = "1990-04-01",
    files: dict | None = None,
    **extra: str,
) -> httpx.Response:
    data = {
        "email": email,
        "password": password,
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "is_public": is_public if isinstance(is_public, str) else str(is_public).lower(),
        **extra,
    }
    # httpx sends multipart only when there are files; an empty file part is what a browser
    # sends for a file input left blank.
    return await client.post(
        "/api/auth/register",
        data=data,
        files=files or {"avatar": ("", b"", "application/octet-stream")},
    )


@dataclass
class Persona:
    client: httpx.AsyncClient
    user: dict

    @property
    def id(self) -> int:
        return self.user["id"]


PersonaFactory = Callable[..., Awaitable[Persona]]


@pytest.fixture
def new_persona(new_client) -> PersonaFactory:
    async def make(first_name: str, *, is_public: bool = True, **extra) -> Persona:
        client = new_client()
        response = await register(
            client,
            email=f"{first_name.lower()}@example.com",
            first_name=first_name,
            is_public=is_public,
            **extra,
        )
        assert response.status_code == 201, response.text
        return Persona(client=client, user=response.json()["user"])

    return make


@pytest.fixture
async def alice(new_persona) -> Persona:
    return await new_persona("Alice")


@pytest.fixture
async def bob(new_persona) -> Persona:
    return await new_persona("Bob")


@pytest.fixture
async def carol(new_persona) -> Persona:
    return await new_persona("Carol", is_public=False)


@pytest.fixture
def gif_decodes() -> list[str]:
    """Pillow's GIF decoder, watched: each frame it starts to decode adds its mode to the list
    (Pillow's own decoder still does the work)."""
    from PIL import Image

    started: list[str] = []

    def decoder(mode: str, *args):
        started.append(mode)
        return Image.core.gif_decoder(mode, *args)

    Image.register_decoder("gif", decoder)
    yield started
    Image.DECODERS.pop("gif", None)
