"""Garbage collector settings for long-running processes that hold many sockets: the server,
and the load tool and baseline that measure it (so that neither side's pauses skew the other's
figures)."""

from __future__ import annotations

import gc

# Young-generation size and how many young passes make an older one (CPython: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 10)


def tune_garbage_collector() -> None:
    """A full collection walks every live object, and this server keeps many: ~200 per open
    socket, 400,000 at 2,000 sockets, a 300 ms stall of every socket here. Two changes make
    them rare (docs/benchmarks.md): what is loaded by now (modules, routes, schema) lives as
    long as the process and is frozen out of the collector's view; and a larger young
    generation lets the many short-lived objects of a message or a request die young instead of
    being promoted, which is what kept triggering full passes. The garbage a closed connection
    leaves (hypercorn's objects refer to each other) is still collected, only less often."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
