"""SIGINT and SIGTERM, for the server process and the workers' supervisor alike."""

from __future__ import annotations

import logging
import signal

import trio

log = logging.getLogger("socialnet.signals")


async def stop_on_signal(shutdown: trio.Event, *, keep_listening: bool = False) -> None:
    """The first SIGINT or SIGTERM starts a graceful shutdown. A lone process then lets a second
    one stop it at once; a worker keeps listening and ignores it: Ctrl-C reaches the whole
    process group and its supervisor then asks again with SIGTERM, which must not cut short
    the shutdown the first signal began (the supervisor kills a worker that takes too long)."""
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            if shutdown.is_set():
                continue
            log.info("received %s, shutting down", signal.Signals(signum).name)
            shutdown.set()
            if not keep_listening:
                return
