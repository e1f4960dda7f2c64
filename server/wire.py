"""What the web server (server/http/hypercorn_worker.py) and the realtime core agree on below
ASGI: the extension through which the application writes WebSocket frames itself, and how a
frame is written (RFC 6455, server to client: unmasked)."""

from __future__ import annotations

# An ASGI scope extension of a WebSocket: a coroutine function taking the bytes of one or
# several encoded frames, written in order with the server's own writes.
FRAMES_EXTENSION = "socialnet.websocket.frames"


def websocket_text_frame(text: str) -> bytes:
    """`text` as one unmasked WebSocket text frame."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload
