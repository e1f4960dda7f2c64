"""Logging for people (`console`) and for machines (`json`: one object per line, for jq).

Structured fields travel as `extra={"fields": {...}}` so both formats show the same facts.
"""

from __future__ import annotations

import json
import logging
import sys
import time

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
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic and hypercorn are chatty at INFO about things a developer tailing logs need not see.
    for noisy in ("alembic", "pgserver", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
