"""Logging for people (`console`) and for machines (`json`: one object per line, for jq).

Structured fields travel as `extra={"fields": {...}}` so both formats show the same facts.
Every line a request causes (in its task, and in the tasks it starts: a WebSocket's actor)
carries its `request_id`, and its `user_id` once known: the request's `RequestContext` lives in
a context variable that the access log (server/http/access.py) sets, and a filter on the
handler adds both to each line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class RequestContext:
    """The request being served, as its log lines and its access line tell it. Mutable: the
    guards learn the user and the route after the access log made it."""

    request_id: str
    user_id: int | None = None
    # The URL rule that matched (`/api/posts/<id:post_id>`), for metrics: never the raw path.
    route: str | None = None


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def note_user(user_id: int) -> None:
    """The request being served is this user's (for its log lines and its access line)."""
    context = current_request.get()
    if context is not None:
        context.user_id = user_id


class RequestContextFilter(logging.Filter):
    """Adds the current request's id (and user, once known) to every line logged within it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request.get()
        if context is not None:
            known = {"request_id": context.request_id}
            if context.user_id is not None:
                known["user_id"] = context.user_id
            # A new dict: the caller's may be shared between lines.
            record.fields = {**known, **(getattr(record, "fields", None) or {})}
        return True


_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def __init__(self, worker: int | None = None) -> None:
        super().__init__()
        self.worker = worker

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if self.worker is not None:
            entry["worker"] = self.worker
        for key, value in (getattr(record, "fields", None) or {}).items():
            entry.setdefault(key, value)  # never overwrite ts, level, logger, event
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    def __init__(self, worker: int | None = None) -> None:
        where = "" if worker is None else f"[{worker}] "
        super().__init__(f"%(asctime)s {where}%(levelname)-5s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, "fields", None)
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return line


def configure(
    log_format: str = "console", level: int = logging.INFO, *, worker: int | None = None
) -> None:
    """Log to stderr (console) or stdout (json); a worker process (server/workers.py) marks its
    lines with its number, as `[n]` or `"worker": n`."""
    # The router writes a line per event, hundreds a second under load: skip what logging would
    # otherwise gather for every record and no formatter here prints (the logging HOWTO's
    # "Optimization": the caller's frame, thread, process and multiprocessing names).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr if log_format == "console" else sys.stdout)
    formatter = JsonFormatter if log_format == "json" else ConsoleFormatter
    handler.setFormatter(formatter(worker))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic and hypercorn are chatty at INFO about things a developer tailing logs need not see.
    for noisy in ("alembic", "pgserver", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
