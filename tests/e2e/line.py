"""A browser's link to /ws that a test can cut, for real: Chromium's offline mode leaves open
WebSockets alone, so the test routes the socket through Playwright (route_web_socket) and
closes both sides itself; while cut, new attempts are refused before they open, as a
connection to an unreachable server is."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, WebSocketRoute

SOCKET = re.compile(r"/ws$")


class Line:
    def __init__(self, context: BrowserContext | None = None) -> None:
        self.cut = False
        self.sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        if context is not None:
            context.route_web_socket(SOCKET, self.route)

    def route(self, ws: WebSocketRoute) -> None:
        if self.cut:
            ws.close(code=1012)
            return
        self.sockets.append((ws, ws.connect_to_server()))

    def drop(self) -> None:
        """Close every open socket of the browser and refuse new ones until `mend()`."""
        self.cut = True
        for page_side, server_side in self.sockets:
            server_side.close(code=1012)
            page_side.close(code=1012)
        self.sockets.clear()

    def mend(self) -> None:
        self.cut = False
