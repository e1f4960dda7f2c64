"""`socialnet baseline`: the bare stack the load figures are compared with.

quart-trio on hypercorn, no database, no router, no actors: a sender's handler writes each
copy straight to the recipients' sockets. It speaks just enough of API.md for `socialnet load`
(sessions from the seed file, chat.send to a user or to everyone, a feed page from memory, a
post written straight to its author's and their partner's sockets as post.new), so the same
tool measures both, and the ratio shows what the product's own layers cost.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve
from quart import request, websocket
from quart_trio import QuartTrio

from loadtest.sessions_file import read_sessions

ROOM_ID = 1


def create_baseline_app(tokens: dict[str, int], partners: dict[int, int]) -> QuartTrio:
    app = QuartTrio("baseline")
    sockets: dict[int, set] = {}
    ids = itertools.count(1)
    posts = [
        {"id": n, "author": {"id": 1}, "body": f"post {n}", "privacy": "public"}
        for n in range(20, 0, -1)
    ]

    @app.get("/api/health")
    async def health():
        return {"status": "ok"}

    @app.get("/api/feed")
    async def feed():
        return {"items": posts, "next": None}

    @app.post("/api/posts")
    async def publish():
        user_id = tokens.get(request.cookies.get("sid", ""))
        if user_id is None:
            return {"error": {"code": "unauthenticated"}}, 401
        form = await request.form
        post = {"id": next(ids), "author": {"id": user_id}, "body": form.get("body")}
        text = json.dumps({"type": "post.new", "feed": "home", "post": post})
        for reader in (user_id, partners.get(user_id)):
            for socket in list(sockets.get(reader, ())):
                await socket.send(text)
        return {"post": post}, 201

    @app.get("/api/groups")
    async def groups():
        return {"items": [{"id": ROOM_ID, "title": "Load room"}], "next": None}

    @app.websocket("/ws")
    async def ws():
        user_id = tokens.get(websocket.cookies.get("sid", ""))
        if user_id is None:
            return {"error": {"code": "unauthenticated"}}, 401
        await websocket.accept()
        me = websocket._get_current_object()
        sockets.setdefault(user_id, set()).add(me)
        try:
            while True:
                frame = json.loads(await websocket.receive())
                if frame.get("type") == "ping":
                    await me.send(json.dumps({"type": "pong"}))
                if frame.get("type") != "chat.send":
                    continue
                to = frame["to"]
                message = {
                    "id": next(ids),
                    "sender": {"id": user_id},
                    "body": frame.get("body"),
                    "client_msg_id": frame.get("client_msg_id"),
                    "created_at": datetime.now(UTC).isoformat(),
                }
                await me.send(
                    json.dumps(
                        {"type": "chat.ack", "client_msg_id": message["client_msg_id"],
                         "message": message}
                    )
                )  # fmt: skip
                text = json.dumps({"type": "chat.message", "message": message})
                if "user" in to:
                    recipients = list(sockets.get(to["user"], ()))
                else:
                    recipients = [s for group in sockets.values() for s in group if s is not me]
                for other in recipients:
                    await other.send(text)
        finally:
            sockets[user_id].discard(me)

    return app


async def run_baseline(
    tokens: dict[str, int], partners: dict[int, int], host: str, port: int
) -> None:
    config = HypercornConfig()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None
    await serve(create_baseline_app(tokens, partners), config, mode="asgi")


def main(sessions_file: Path, host: str, port: int) -> None:
    users = read_sessions(sessions_file)
    tokens = {user["token"]: user["user_id"] for user in users}
    ids = [user["user_id"] for user in users]
    # The seed's pairs, 2k and 2k+1, follow each other: each sees the other's posts at Home.
    partners = {ids[n]: ids[n ^ 1] for n in range(len(ids)) if n ^ 1 < len(ids)}
    trio.run(run_baseline, tokens, partners, host, port)
