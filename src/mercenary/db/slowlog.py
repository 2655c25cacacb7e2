"""The slow-statement log (DB-5): a statement that took longer than ``DB_SLOW_STATEMENT_MS`` is
logged at WARNING on ``mercenary.db.slow`` with its :class:`~mercenary.db.Query` name, its
duration, and its SQL and parameters cut short.

The drivers time every statement with one ``time.perf_counter()`` pair and compare; nothing is
formatted unless the statement was slow. Parameters are logged as the caller named them, at most
:data:`MAX_PARAMS` of them and :data:`MAX_VALUE` characters each; the value of a parameter whose
name says it is a secret (password, token, hash, invitation code, ...) is never logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger("mercenary.db.slow")

MAX_SQL = 500
MAX_PARAMS = 10
MAX_VALUE = 50
REDACTED = "<redacted>"
SECRET_NAME = re.compile(r"pass|token|hash|secret|key|code", re.IGNORECASE)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_params(params: Mapping[str, Any]) -> str:
    """``name=value, ...`` for a log line: secrets redacted, values and their number bounded."""
    shown = []
    for i, (name, value) in enumerate(params.items()):
        if i == MAX_PARAMS:
            shown.append(f"… {len(params) - MAX_PARAMS} more")
            break
        text = REDACTED if SECRET_NAME.search(name) else _cut(repr(value), MAX_VALUE)
        shown.append(f"{name}={text}")
    return ", ".join(shown)


def statement_name(query: object) -> str:
    """A :class:`~mercenary.db.Query`'s name, or what kind of bare statement it is."""
    name = getattr(query, "name", None)
    return name if isinstance(name, str) else f"<{type(query).__name__}>"


def log_slow_statement(
    query: object, sql: str, params: Mapping[str, Any], seconds: float, *, rows: int | None = None
) -> None:
    """Log one slow statement (``rows``: how many parameter sets an ``execute_many`` ran)."""
    name = statement_name(query)
    ms = seconds * 1000
    batch = "" if rows is None else f" ({rows} parameter sets, the first shown)"
    logger.warning(
        "slow statement %s took %.0f ms%s: %s; params: %s",
        name,
        ms,
        batch,
        _cut(" ".join(sql.split()), MAX_SQL),
        describe_params(params),
        extra={"statement": name, "duration_ms": round(ms, 1)},
    )
