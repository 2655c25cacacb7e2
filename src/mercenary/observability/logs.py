"""Structured logs (OBS-2): one JSON object per line, or readable lines for a terminal.

Every line carries the time (UTC), level, logger and message, the current request's correlation
id, tenant and user (``context.py``), and any ``extra=`` fields. The access log (``mercenary.access``)
adds one line per request: method, path, route template, status, duration and database time.

stdlib ``logging`` with an orjson formatter rather than structlog: it is what the libraries below us
(uvicorn, asyncpg) already log through, and the access line costs less this way (measured in
benchmarks/observability_cost.py and docs/observability.md). ``LOG_LEVEL`` sets the level (INFO in
production, DEBUG for more), ``LOG_FORMAT`` json or console.

What must never reach a log line: passwords, tokens, the secret key. Nothing here logs bodies, query
strings or headers; the slow-statement log redacts secret-looking parameters (``db/slowlog.py``);
tests/observability/test_log_secrets.py drives the auth flow at DEBUG and scans every line.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

import orjson

from mercenary.observability.context import current

ACCESS = logging.getLogger("mercenary.access")
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = {k: v for k, v in vars(record).items() if k not in STANDARD}
    context = current.get()
    if context is not None:
        fields["request_id"] = context.request_id
        if context.user is not None:
            fields["tenant"] = context.tenant
            fields["user"] = context.user
    return fields


def _timestamp(created: float) -> str:
    seconds = int(created)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int((created - seconds) * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, the request's fields, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(_fields(record))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class ConsoleFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value ...`` for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{_timestamp(record.created)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if extras:
            line += f"  {extras}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def formatter(kind: str) -> logging.Formatter:
    """The formatter ``LOG_FORMAT`` names: ``json`` or ``console``."""
    return JsonFormatter() if kind == "json" else ConsoleFormatter()


def configure(level: str, kind: str, stream: TextIO | None = None) -> logging.Handler:
    """Send every log record of the process (the server's own included) at ``level`` or above to
    ``stream`` (stderr) in format ``kind``; the handler installed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(kind))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True
    return handler
