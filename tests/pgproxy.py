"""A Postgres connection that dies without a word, for real: a proxy on a Unix socket of its
own that a server under test reaches its database through, and that can black-hole the
connections it carries, as a network cut or a forgetful firewall does: Postgres's side is
closed, the client's side stays open and hears nothing, ever.

    async with open_proxy(nursery, database_url) as proxy:
        ... start a server on proxy.url ...
        proxy.black_hole(lambda sent: b"LISTEN" in sent)   # the bus's connection only
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import trio

# What the proxy remembers of what a client sent (enough to recognise a LISTEN).
REMEMBERED_BYTES = 64 * 1024


@dataclass(eq=False)
class _Carried:
    scope: trio.CancelScope
    upstream: trio.abc.Stream
    sent: bytearray = field(default_factory=bytearray)
    silenced: bool = False


class PostgresProxy:
    def __init__(self, database_url: str, directory: Path):
        self._target = urlsplit(database_url)
        self.directory = directory
        self._carried: list[_Carried] = []
        query = dict(parse_qsl(self._target.query))
        query["host"] = str(directory)
        netloc = self._target.netloc.rsplit("@", 1)
        credentials = f"{netloc[0]}@" if len(netloc) == 2 else ""
        # The port only names the socket file (.s.PGSQL.<port>): the default one here.
        self.url = urlunsplit(self._target._replace(netloc=credentials, query=urlencode(query)))

    async def _connect_upstream(self) -> trio.abc.Stream:
        query = dict(parse_qsl(self._target.query))
        port = self._target.port or 5432
        host = query.get("host") or self._target.hostname or "localhost"
        if host.startswith("/"):
            return await trio.open_unix_socket(f"{host}/.s.PGSQL.{port}")
        return await trio.open_tcp_stream(host, port)

    async def _pump(self, source, sink, carried: _Carried | None) -> None:
        try:
            while data := await source.receive_some(65536):
                if carried is not None and len(carried.sent) < REMEMBERED_BYTES:
                    carried.sent += data
                await sink.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass

    async def _carry(self, client: trio.SocketStream) -> None:
        async with client:
            upstream = await self._connect_upstream()
            carried = _Carried(trio.CancelScope(), upstream)
            self._carried.append(carried)
            with carried.scope:
                async with upstream, trio.open_nursery() as pumps:
                    pumps.start_soon(self._pump, client, upstream, carried)
                    await self._pump(upstream, client, None)
                    pumps.cancel_scope.cancel()
            if carried.silenced:
                await trio.sleep_forever()  # the client's side stays open, and silent

    def black_hole(self, which: Callable[[bytes], bool]) -> int:
        """Silence the connections carried now whose client sent what `which` recognises:
        Postgres's side closes, the client's never hears another byte. How many."""
        chosen = [c for c in self._carried if not c.silenced and which(bytes(c.sent))]
        for carried in chosen:
            carried.silenced = True
            carried.scope.cancel()
        return len(chosen)

    async def serve(self, *, task_status=trio.TASK_STATUS_IGNORED) -> None:
        listener = trio.socket.socket(trio.socket.AF_UNIX)
        await listener.bind(str(self.directory / ".s.PGSQL.5432"))
        listener.listen()
        await trio.serve_listeners(
            self._carry, [trio.SocketListener(listener)], task_status=task_status
        )


@asynccontextmanager
async def open_proxy(nursery: trio.Nursery, database_url: str) -> AsyncIterator[PostgresProxy]:
    """A proxy to `database_url`, served in `nursery` (until it ends); reach it at `.url`."""
    directory = Path(mkdtemp(prefix="pgproxy-"))
    try:
        proxy = PostgresProxy(database_url, directory)
        await nursery.start(proxy.serve)
        yield proxy
    finally:
        shutil.rmtree(directory, ignore_errors=True)
