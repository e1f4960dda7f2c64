"""A lean keep-alive HTTP/1.1 client: the load tool's only HTTP client (the `feed` scenario's
pages, the `group` scenario's room lookup, the `feed-live` scenario's posts).

The load tool shares the machine with the server it measures, so its own cost per request shows
up in the figures. httpx spent about 5 ms of CPU per feed page here (a whole core at 200
requests/s); this client, one h11 connection per simulated user, spends a fraction of that.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import h11
import trio

RECEIVE_BYTES = 64 * 1024
FAILURES = (OSError, trio.BrokenResourceError, trio.ClosedResourceError, h11.ProtocolError)


class HttpError(Exception):
    """The request did not get a whole response (connection refused, reset or malformed)."""


class KeepAliveClient:
    """Requests on one connection, one at a time, reopened when the server closes it."""

    def __init__(self, url: str, *, cookie: str):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the load tool speaks plain http, not {url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.headers = [
            ("Host", parts.netloc),
            ("Cookie", cookie),
            ("Accept", "application/json"),
        ]
        self.stream: trio.SocketStream | None = None
        self.conn: h11.Connection | None = None

    async def get(self, path: str) -> int:
        """GET `path`; the response's status once its whole body has arrived (and dropped)."""
        status, _ = await self._get_or_fail(path, keep_body=False)
        return status

    async def get_json(self, path: str):
        """GET `path`, which must answer 200; its JSON body."""
        status, body = await self._get_or_fail(path, keep_body=True)
        if status != 200:
            raise HttpError(f"GET {path}: status {status}")
        return json.loads(body)

    async def post_form(self, path: str, fields: dict[str, str]) -> int:
        """POST form fields (urlencoded) to `path`; the response's status."""
        body = urlencode(fields).encode()
        headers = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", str(len(body))),
        ]
        status, _ = await self._or_fail("POST", path, keep_body=False, body=body, headers=headers)
        return status

    async def _get_or_fail(self, path: str, *, keep_body: bool) -> tuple[int, bytes]:
        return await self._or_fail("GET", path, keep_body=keep_body)

    async def _or_fail(self, method: str, path: str, **request) -> tuple[int, bytes]:
        try:
            return await self._request(method, path, **request)
        except FAILURES as e:
            await self.aclose()
            raise HttpError(str(e)) from e

    async def _request(
        self,
        method: str,
        path: str,
        *,
        keep_body: bool,
        body: bytes = b"",
        headers: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
    ) -> tuple[int, bytes]:
        if self.stream is None:
            self.stream = await trio.open_tcp_stream(self.host, self.port)
            self.conn = h11.Connection(our_role=h11.CLIENT)
        conn = self.conn
        request = h11.Request(method=method, target=path, headers=[*self.headers, *headers])
        data = conn.send(request) + (conn.send(h11.Data(data=body)) if body else b"")
        await self.stream.send_all(data + conn.send(h11.EndOfMessage()))
        status = 0
        received: list[bytes] = []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                # b"" (the server closed) makes h11 raise if a response was cut short.
                conn.receive_data(await self.stream.receive_some(RECEIVE_BYTES))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data) and keep_body:
                received.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise HttpError("connection closed before a response")
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            await self.aclose()
        else:
            conn.start_next_cycle()
        return status, b"".join(received)

    async def aclose(self) -> None:
        if self.stream is not None:
            stream, self.stream, self.conn = self.stream, None, None
            await stream.aclose()


class ClientPool:
    """One simulated user's connections: a request reuses an idle one or opens another, as a
    browser does, so a slow response never delays the next request's start."""

    def __init__(self, url: str, *, cookie: str):
        self.url = url
        self.cookie = cookie
        self.idle: list[KeepAliveClient] = []

    async def get(self, path: str) -> int:
        return await self._with_client(lambda client: client.get(path))

    async def post_form(self, path: str, fields: dict[str, str]) -> int:
        return await self._with_client(lambda client: client.post_form(path, fields))

    async def _with_client(self, request) -> int:
        client = self.idle.pop() if self.idle else KeepAliveClient(self.url, cookie=self.cookie)
        try:
            status = await request(client)
        except BaseException:
            await client.aclose()  # cancelled or failed mid-request: its connection is unusable
            raise
        self.idle.append(client)
        return status

    async def aclose(self) -> None:
        for client in self.idle:
            await client.aclose()
        self.idle.clear()
