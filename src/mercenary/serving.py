"""How ``mercenary serve`` runs uvicorn so that one process holds many keep-alive connections (SLO-10).

- Open files: every connection is a descriptor. Before uvicorn starts, the soft ``RLIMIT_NOFILE``
  is raised up to the hard limit in this process (uvicorn's workers inherit it); start-up is refused,
  with a message saying what to raise, when even the hard limit cannot fit
  ``HTTP_MAX_CONNECTIONS`` plus the database pool and a reserve.
- Keep-alive: an idle connection is closed after ``HTTP_KEEP_ALIVE_S`` (uvicorn's default is 5 s).
- Backlog: ``HTTP_BACKLOG``; the kernel silently caps it at ``net.core.somaxconn``, which start-up
  reports when it does.
- uvicorn's ``limit_concurrency`` stays unset: it counts open connections, idle ones included, and once
  they reach it every request on every connection is answered 503.
- :class:`IdleLightProtocol`: an idle connection does not keep its last request alive, and a
  request's head is bounded: at most ``HTTP_MAX_HEADER_BYTES`` (passed to uvicorn as its
  ``h11_max_incomplete_event_size``, which only the h11 protocol reads by itself) and
  :data:`MAX_HEADERS` header lines, else a 431 and the connection is closed. httptools sets no
  limit: a 32 MB header was read whole into memory.
- Graceful shutdown (RES-6): on SIGTERM uvicorn stops accepting, lets in-flight requests finish for
  up to ``SHUTDOWN_GRACE_S``, then runs the app's lifespan shutdown (the pools close).
  :func:`exit_zero_on_sigterm` makes that clean stop exit 0 (see there).
- Memory given back: glibc's allocator keeps freed blocks of up to 32 MB on its heap once it has seen
  one that size, so each password-hashing thread held on to its 19 MiB Argon2 buffer after the hash
  (+57 MB of RSS after six logins, measured). :func:`cap_mmap_threshold` fixes the threshold at
  1 MiB: larger blocks are mapped and unmapped each time, and the RSS comes back down.

- Metrics with several workers: any worker may answer a scrape, so the workers keep their metric
  values in files of a shared ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode),
  a fresh temporary one unless the environment names one (:func:`metrics_dir`).

docs/operations.md has the figures and how to raise each limit on a VM.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mercenary.settings import Settings

# Descriptors a process uses besides its HTTP connections and its database pool: the listening
# socket, the event loop, SQLite's files, logs, the modules it imports.
OPEN_FILES_RESERVE = 256
SOMAXCONN = Path("/proc/sys/net/core/somaxconn")
MMAP_THRESHOLD = 1 << 20  # bytes; glibc's default is 128 kB, raised on the fly up to 32 MB
M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
# Header lines a request may carry (Python's http.client and h11's callers use 100 as well).
MAX_HEADERS = 100
DEFAULT_HEAD_BYTES = 16_384


@cache
def _head_too_large() -> bytes:
    # Written by the protocol itself, before any ASGI app sees the request: the problem body is
    # built once, the same one docs/errors.md lists under ``headers_too_large``.
    from mercenary.web.errors import HEADERS_TOO_LARGE

    body = HEADERS_TOO_LARGE.response("The request's headers are too large or too many.").body
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/problem+json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n\r\n" + bytes(body)
    )


class ServeLimitError(RuntimeError):
    """A limit of this machine is below what the settings ask for; the message says how to raise it."""


def open_files_needed(settings: Settings) -> int:
    """Descriptors one API process needs to hold ``HTTP_MAX_CONNECTIONS`` connections."""
    return settings.HTTP_MAX_CONNECTIONS + settings.DB_POOL_SIZE + OPEN_FILES_RESERVE


def raise_open_files(needed: int) -> tuple[int, int]:
    """Raise the soft open-files limit to the hard limit (never lower it); (soft, hard) afterwards.

    Raises :class:`ServeLimitError` when the result is below ``needed``: only a privileged parent
    can raise the hard limit (systemd ``LimitNOFILE=``, docker ``--ulimit nofile=``, ``ulimit -Hn``).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, needed) if hard == resource.RLIM_INFINITY else hard
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass  # the check below says what is missing
    if soft < needed:
        raise ServeLimitError(
            f"HTTP_MAX_CONNECTIONS needs {needed} open files but this process may open {soft} "
            f"(hard limit {hard}): raise the hard limit (systemd LimitNOFILE={needed}, "
            f"docker --ulimit nofile={needed}, ulimit -Hn {needed}) or lower HTTP_MAX_CONNECTIONS"
        )
    return soft, hard


def somaxconn(path: Path = SOMAXCONN) -> int | None:
    """The kernel's cap on a listen backlog (None where it cannot be read)."""
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def cap_mmap_threshold() -> str:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD`, in this process and (through the
    environment) in the workers uvicorn starts; what was done. ``MALLOC_MMAP_THRESHOLD_`` already
    in the environment is left as it is; another C library (musl, macOS) is left alone."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return f"MALLOC_MMAP_THRESHOLD_={os.environ['MALLOC_MMAP_THRESHOLD_']} (from the environment)"
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return "mmap threshold left to the C library (no mallopt)"
    if mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) != 1:
        return "mmap threshold left to the C library (mallopt refused)"
    os.environ["MALLOC_MMAP_THRESHOLD_"] = str(MMAP_THRESHOLD)
    return f"mmap threshold {MMAP_THRESHOLD >> 10} kB"


def prepare(settings: Settings, workers: int = 1, somaxconn_path: Path = SOMAXCONN) -> list[str]:
    """Raise this process's limits for ``settings``; the lines start-up prints about them.

    Raises :class:`ServeLimitError` when the open-files limit cannot be raised far enough.
    """
    needed = open_files_needed(settings)
    soft, hard = raise_open_files(needed)
    lines = [
        f"open files {soft} (hard {hard}, {needed} needed for HTTP_MAX_CONNECTIONS="
        f"{settings.HTTP_MAX_CONNECTIONS}); keep-alive {settings.HTTP_KEEP_ALIVE_S} s; "
        f"backlog {settings.HTTP_BACKLOG}; {cap_mmap_threshold()}"
    ]
    cap = somaxconn(somaxconn_path)
    if cap is not None and cap < settings.HTTP_BACKLOG:
        lines.append(
            f"warning: net.core.somaxconn ({cap}) caps HTTP_BACKLOG ({settings.HTTP_BACKLOG}): "
            f"sysctl -w net.core.somaxconn={settings.HTTP_BACKLOG}"
        )
    if settings.SHUTDOWN_GRACE_S < settings.REQUEST_TIMEOUT_S:
        lines.append(
            f"warning: SHUTDOWN_GRACE_S ({settings.SHUTDOWN_GRACE_S:g}) is shorter than REQUEST_TIMEOUT_S "
            f"({settings.REQUEST_TIMEOUT_S:g}): a request still running when the grace ends is cut off "
            "(503 shutting_down)"
        )
    if workers > settings.DB_POOL_PROCESSES and settings.DATABASE_URL.startswith("postgres"):
        lines.append(
            f"warning: {workers} workers open {workers} database pools but DB_POOL_PROCESSES is "
            f"{settings.DB_POOL_PROCESSES}: set it to instances x workers so the pool check counts them"
        )
    return lines


def _exit_zero(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def exit_zero_on_sigterm() -> None:
    """Make a SIGTERM that stops the server end the process with status 0.

    uvicorn (one process) handles SIGTERM itself: it stops accepting, lets in-flight requests finish,
    runs the lifespan shutdown, and then raises the signal again for whichever handler was there
    before it. With the default handler the process then dies *by* SIGTERM (status 143) after a
    clean shutdown, which supervisors and orchestrators report as a failure. With this handler in
    place the re-raised signal exits 0; a SIGTERM that arrives before uvicorn has taken over (during
    start-up, nothing is serving yet) exits 0 at once. uvicorn's multi-worker supervisor has handlers
    of its own and exits 0 anyway."""
    signal.signal(signal.SIGTERM, _exit_zero)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's connection options from ``settings`` (``limit_concurrency`` deliberately unset)."""
    return {
        "http": IdleLightProtocol,
        "timeout_keep_alive": settings.HTTP_KEEP_ALIVE_S,
        "backlog": settings.HTTP_BACKLOG,
        "timeout_graceful_shutdown": settings.SHUTDOWN_GRACE_S,
        "h11_max_incomplete_event_size": settings.HTTP_MAX_HEADER_BYTES,
    }


def metrics_dir(workers: int) -> tuple[Path | None, str | None]:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a directory for ``workers`` processes (before they
    start): (a directory created here, to remove at exit, or None; what was done, or None).

    A directory named by the environment is emptied of the files of processes no longer running
    (a previous run's: a scrape would add them to this run's counters); those of live processes,
    such as job workers started first with the same directory, stay. One process needs none: its
    values stay in memory.
    """
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        folder = Path(named)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            if not _running(stale.stem.rpartition("_")[2]):
                stale.unlink()
        return None, f"metrics of every worker in {folder}"
    if workers <= 1:
        return None, None
    import tempfile

    created = Path(tempfile.mkdtemp(prefix="mercenary-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(created)
    return created, f"metrics of {workers} workers in {created}"


def _running(pid: str) -> bool:
    """Whether ``pid`` (a metrics file's name ends with its writer's) is a live process."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class IdleLightProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, letting go of the finished request when the connection goes idle.

    uvicorn keeps the last request's cycle, its scope (with all the framework added: app, router,
    route, endpoint, three ``AsyncExitStack``s) and its headers on the connection until the next
    request arrives, a minute later on a keep-alive connection. Measured with 10,000 idle
    connections: 11.0 kB each with uvicorn's class, 5.5 kB with this one. It leans on uvicorn's
    internals (pinned in constraints.txt); tests/test_serving.py drives keep-alive, pipelining and an
    answer sent before its request's body ended, so an upgrade that changes them fails there.
    """

    _in_head = False  # between a request's first byte and the end of its headers
    _head_bytes = 0
    _refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the 431 is on its way and the connection closing: the rest is dropped
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # Counted by chunks while the head is incomplete, so httptools never buffers more than the
        # limit plus one read; a head that completes within a chunk is measured exactly below.
        if self._in_head and self._head_bytes > self._max_head_bytes():
            self._refuse_head()

    def _max_head_bytes(self) -> int:
        return self.config.h11_max_incomplete_event_size or DEFAULT_HEAD_BYTES

    def _refuse_head(self) -> None:
        self._refused = True
        self.logger.warning("request head too large or too many headers: 431, connection closed")
        self.transport.write(_head_too_large())
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        headers = self.headers
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in headers)
        if len(headers) > MAX_HEADERS or size > self._max_head_bytes():
            self._refuse_head()
            return
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request may have become the current cycle: only a finished one is let go.
        if self.cycle is not None and self.cycle.response_complete and not self.pipeline:
            self.cycle = None  # type: ignore[assignment]
            self.scope = None  # type: ignore[assignment]
            self.headers = []

    def on_body(self, body: bytes) -> None:
        # Else the rest of a body whose answer already went out, or of a refused request: dropped.
        if self.cycle is not None and not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.cycle is not None and not self._refused:
            super().on_message_complete()
