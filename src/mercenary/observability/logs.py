"""Structured logs (OBS-2): one JSON object per line, or readable lines for a terminal.

Every line carries the time (UTC), level, logger and message, the current request's correlation
id, tenant and user (``context.py``), and any ``extra=`` fields. ``LOG_LEVEL`` sets the level (INFO
in production, DEBUG for more), ``LOG_FORMAT`` json or console.

stdlib ``logging`` with an orjson formatter rather than structlog: the libraries below us (uvicorn,
asyncpg) and our own modules already log through it, so one pipeline formats everything. The one
line written per request, the access line (:class:`AccessLog`, logger name ``mercenary.access``),
skips logging's machinery (a record of some 20 attributes, handler locks, level lookups) and is
written straight to the stream in the same format: in the whole app it cost 20 us per request
through ``logging`` and 6 us this way (benchmarks/observability_cost.py, docs/observability.md).

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

ACCESS_LOGGER = "mercenary.access"
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi")
# uvicorn writes a line per request of its own when this logger has a handler, its parents' included
# (``hasHandlers()``, read once per connection): a second access line, about 27 us of the core per
# request at INFO. The service writes its own (:class:`AccessLog`), so this one is kept silent.
SERVER_ACCESS_LOGGER = "uvicorn.access"


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
    millis = int((created - seconds) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


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


def lean_records() -> None:
    """Stop ``logging`` from gathering what no line of ours shows: the caller's file and line (a
    stack walk per record), thread, process and task names (the logging HOWTO's "Optimization").
    Measured: a line costs 7.4 us instead of 8.9."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def configure(level: str, kind: str, stream: TextIO | None = None) -> logging.Handler:
    """Send every log record of the process (the server's own included) at ``level`` or above to
    ``stream`` (stderr) in format ``kind``; the handler installed."""
    lean_records()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(kind))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True
    access = logging.getLogger(SERVER_ACCESS_LOGGER)
    access.handlers.clear()
    access.propagate = False
    return handler


class AccessLog:
    """The access line of each request, in the ``LOG_FORMAT`` of every other line, written straight
    to ``stream`` (the current ``sys.stderr`` when None) at INFO.

    Cheaper than a logging call (module docstring), and cheaper again than the first version of
    itself: the time's text up to the second is made once a second, and a JSON line goes to the
    stream's byte buffer as orjson wrote it (no decode and re-encode through the text layer).
    """

    def __init__(self, kind: str, stream: TextIO | None = None) -> None:
        self.json = kind == "json"
        self.stream = stream
        self._second = -1
        self._prefix = ""

    def _timestamp(self, created: float) -> str:
        seconds = int(created)
        if seconds != self._second:
            self._second = seconds
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        return f"{self._prefix}.{int((created - seconds) * 1000):03d}Z"

    def write(self, fields: dict[str, Any]) -> None:
        """Write one request's line: ``fields`` (method, path, route, status, ...) and the request's own."""
        created = time.time()
        message = f"{fields['method']} {fields['path']} {fields['status']}"
        context = current.get()
        if context is not None:
            fields["request_id"] = context.request_id
            if context.user is not None:
                fields["tenant"] = context.tenant
                fields["user"] = context.user
        stream = self.stream or sys.stderr
        try:
            if self.json:
                ts = self._timestamp(created)
                head = {"ts": ts, "level": "INFO", "logger": ACCESS_LOGGER, "msg": message}
                head.update(fields)
                data = orjson.dumps(head, option=orjson.OPT_APPEND_NEWLINE)
                raw = getattr(stream, "buffer", None)
                if raw is not None:
                    # Lines of ``logging`` are flushed as they are written, so the text layer holds
                    # nothing that this line could overtake.
                    raw.write(data)
                    raw.flush()
                    return
                stream.write(data.decode())
            else:
                extras = " ".join(f"{k}={v}" for k, v in fields.items())
                stream.write(f"{self._timestamp(created)} INFO    {ACCESS_LOGGER}: {message}  {extras}\n")
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stream loses the line, never the request
            pass
