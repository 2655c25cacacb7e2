"""Logging captured as the service writes it, and put back afterwards (pytest's own capture lives
on the root logger too)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from mercenary.observability.logs import configure


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Every log record of the process at DEBUG, in the service's JSON format, into a string."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    flags = (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing)
    stream = io.StringIO()
    configure("DEBUG", "json", stream)
    try:
        yield stream
    finally:
        root.handlers[:], root.level = saved
        logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing = flags
