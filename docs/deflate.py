"""What permessage-deflate would cost and save on chat frames, with the wsproto that hypercorn
uses: bytes on the wire, CPU per frame (server side: compress what it sends, inflate what it
receives) and memory per socket. Run: .venv/bin/python docs/deflate.py (docs/benchmarks.md)."""

from __future__ import annotations

import gc
import json
import random
import time

from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import TextMessage
from wsproto.extensions import PerMessageDeflate
from wsproto.handshake import client_extensions_handshake, server_extensions_handshake

OFFER = "permessage-deflate; client_max_window_bits"  # what Chrome and Firefox offer
FRAMES = 20_000
SOCKETS = 2_000

rng = random.Random(1)
letters = "abcdefghijklmnopqrstuvwxyz"
vocabulary = ["".join(rng.choices(letters, k=rng.randint(2, 9))) for _ in range(3000)]
names = ["".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(200)]


def words() -> str:
    return " ".join(rng.choices(vocabulary, k=rng.randint(3, 25)))


def chat_message(i: int) -> str:
    """A `chat.message` frame as the server sends it (API.md)."""
    name = rng.choice(names)
    sender = {"id": rng.randint(1, 10**6), "username": name, "display_name": name.title()}
    message = {
        "id": 100_000 + i,
        "conversation": {"kind": "direct", "id": rng.randint(1, 10**6)},
        "sender": {**sender, "avatar_url": f"/media/{rng.randint(1, 10**6)}"},
        "body": words(),
        "created_at": f"2026-11-30T23:{rng.randint(10, 59)}:{rng.randint(10, 59)}.123456Z",
        "client_msg_id": f"{rng.getrandbits(128):032x}",
    }
    return json.dumps({"type": "chat.message", "message": message})


def chat_send() -> str:
    """A `chat.send` frame as a client sends it."""
    to, msg_id = {"user": rng.randint(1, 10**6)}, f"{rng.getrandbits(128):032x}"
    return json.dumps({"type": "chat.send", "to": to, "body": words(), "client_msg_id": msg_id})


def pair(deflate: bool) -> tuple[Connection, Connection]:
    if not deflate:
        return Connection(ConnectionType.SERVER), Connection(ConnectionType.CLIENT)
    server_side, client_side = [PerMessageDeflate()], [PerMessageDeflate()]
    accepted = server_extensions_handshake([OFFER], server_side)
    client_extensions_handshake([accepted.decode()], client_side)
    return (
        Connection(ConnectionType.SERVER, server_side),
        Connection(ConnectionType.CLIENT, client_side),
    )


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def main() -> None:
    outgoing = [chat_message(i) for i in range(FRAMES)]
    incoming = [chat_send() for _ in range(FRAMES)]
    for deflate in (False, True):
        server, client = pair(deflate)
        start = time.perf_counter()
        sent = [server.send(TextMessage(data=text)) for text in outgoing]
        send_us = (time.perf_counter() - start) / FRAMES * 1e6
        frames = [client.send(TextMessage(data=text)) for text in incoming]
        start = time.perf_counter()
        for frame in frames:
            server.receive_data(frame)
            for _ in server.events():
                pass
        receive_us = (time.perf_counter() - start) / FRAMES * 1e6
        out_text, out_wire = sum(map(len, outgoing)), sum(map(len, sent))
        in_text, in_wire = sum(map(len, incoming)), sum(map(len, frames))
        print(
            f"deflate={deflate}: sent {out_text / FRAMES:.0f} B/frame as {out_wire / FRAMES:.0f} "
            f"on the wire, {send_us:.1f} us; received {in_text / FRAMES:.0f} B/frame as "
            f"{in_wire / FRAMES:.0f}, {receive_us:.1f} us"
        )
    for deflate in (False, True):
        gc.collect()
        before, kept = rss_kib(), []
        for i in range(SOCKETS):  # each socket has sent and received one message
            server, client = pair(deflate)
            client.receive_data(server.send(TextMessage(data=outgoing[i])))
            server.receive_data(client.send(TextMessage(data=incoming[i])))
            list(server.events())
            kept.append(server)
        gc.collect()
        print(f"deflate={deflate}: {(rss_kib() - before) / SOCKETS:.0f} KiB per socket")
        del kept


if __name__ == "__main__":
    main()
