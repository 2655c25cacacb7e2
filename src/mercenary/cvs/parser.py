"""The CV parser's sandbox: each document is read in a child process of its own, under limits.

A worker starts one fork server (``multiprocessing``'s forkserver, safe beside the worker's
threads) that has imported the parsing libraries once; each parse forks a child from it (a few
milliseconds instead of the third of a second the imports take). The child caps its own address
space (``RLIMIT_AS``) and CPU time before it touches the document; the parent kills it at the wall
time limit. Whatever the document does, the worker gets a :class:`ParseResult` or a
:class:`ParseFailure` with a reason, never a crash of its own.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

EXTRACT_MODULE = "mercenary.cvs.extract"
CLI_MODULE = "mercenary.cli"


@dataclass(frozen=True)
class Limits:
    """What one parse may take."""

    timeout_s: float
    memory_bytes: int
    max_pages: int
    max_chars: int


@dataclass(frozen=True)
class ParseResult:
    text: str
    pages: int


class ParseFailure(Exception):
    """The document could not be parsed within the limits; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _child(out: Connection, data: bytes, media_type: str, limits: Limits) -> None:
    """Runs in the forked child: cap memory and CPU, then extract and answer."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    answer(out, data, media_type, limits)


def answer(out: Connection, data: bytes, media_type: str, limits: Limits) -> None:
    """Extract, and send ``("parsed", text, pages)`` or ``("failed", reason, message)``."""
    from mercenary.cvs.extract import ExtractError, extract_text

    try:
        text, pages = extract_text(data, media_type, max_pages=limits.max_pages, max_chars=limits.max_chars)
    except ExtractError as exc:
        out.send(("failed", exc.reason, exc.message))
    except MemoryError:
        out.send(("failed", "memory_limit", _memory_message(limits)))
    else:
        out.send(("parsed", text, pages))
    out.close()


def _memory_message(limits: Limits) -> str:
    return f"Parsing needs more than {limits.memory_bytes // 2**20} MB of memory."


class Parser:
    """Parses documents in sandboxed children; thread-safe; :meth:`close` when done."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._context: Any = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__, EXTRACT_MODULE, CLI_MODULE, *_main_module()])
        self._lock = threading.Lock()

    def parse(self, data: bytes, media_type: str) -> ParseResult:
        """The document's text and page count, or :class:`ParseFailure`. Blocks up to the time limit
        (run it in a thread)."""
        limits = self.limits
        receiver, sender = self._context.Pipe(duplex=False)
        with self._lock:  # the fork server's first start is not thread-safe
            child = self._context.Process(
                target=_child, args=(sender, data, media_type, limits), name="cv-parse", daemon=True
            )
            child.start()
        sender.close()
        try:
            if not receiver.poll(limits.timeout_s):
                raise ParseFailure("timeout", f"Parsing took longer than {limits.timeout_s:g} s.")
            try:
                message = receiver.recv()
            except EOFError:  # the child died without an answer
                child.join(5)
                raise _died(child.exitcode, limits) from None
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            child.close()
            receiver.close()
        if message[0] == "failed":
            raise ParseFailure(message[1], message[2])
        return ParseResult(text=message[1], pages=message[2])


def _main_module() -> list[str]:
    """The main module's name when the program was run with ``-m``.

    Each child runs the program's main again as ``__mp_main__`` before it parses (multiprocessing's
    rule): cheap only when the fork server has imported what the main imports. So the fork server
    preloads the CLI (the ``mercenary`` script's one import) and, for ``python -m``, the main
    module itself. (Python 3.11's forkserver ignores ``"__main__"`` in its preload list: it looks
    for a ``main_path`` key that the preparation data names ``init_main_from_path``.) Without this
    every parse imported the CLI again: 0.1 to 0.3 s."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    return [spec.name] if spec is not None and spec.name else []


def _died(exitcode: int | None, limits: Limits) -> ParseFailure:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        if -exitcode == signal.SIGXCPU:
            return ParseFailure("timeout", f"Parsing used more than its CPU time ({name}).")
        # Native code (PDFium, libxml2) aborts when an allocation fails under RLIMIT_AS.
        return ParseFailure(
            "parser_crashed",
            f"The parser stopped ({name}): the file needs more than "
            f"{limits.memory_bytes // 2**20} MB of memory, or is malformed.",
        )
    return ParseFailure("parser_crashed", f"The parser stopped (exit code {exitcode}).")
