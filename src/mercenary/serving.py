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
- :class:`IdleLightProtocol`: an idle connection does not keep its last request alive.
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
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mercenary.settings import Settings

# Descriptors a process uses besides its HTTP connections and its database pool: the listening
# socket, the event loop, SQLite's files, logs, the modules it imports.
OPEN_FILES_RESERVE = 256
SOMAXCONN = Path("/proc/sys/net/core/somaxconn")
MMAP_THRESHOLD = 1 << 20  # bytes; glibc's default is 128 kB, raised on the fly up to 32 MB
M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


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
    if workers > settings.DB_POOL_PROCESSES and settings.DATABASE_URL.startswith("postgres"):
        lines.append(
            f"warning: {workers} workers open {workers} database pools but DB_POOL_PROCESSES is "
            f"{settings.DB_POOL_PROCESSES}: set it to instances x workers so the pool check counts them"
        )
    return lines


def metrics_dir(workers: int) -> tuple[Path | None, str | None]:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a directory for ``workers`` processes (before they
    start): (a directory created here, to remove at exit, or None; what was done, or None).

    A directory named by the environment is emptied of the previous run's files (a scrape would
    add them to this run's counters). One process needs none: its values stay in memory.
    """
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        folder = Path(named)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None, f"metrics of every worker in {folder}"
    if workers <= 1:
        return None, None
    import tempfile

    created = Path(tempfile.mkdtemp(prefix="mercenary-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(created)
    return created, f"metrics of {workers} workers in {created}"


class IdleLightProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, letting go of the finished request when the connection goes idle.

    uvicorn keeps the last request's cycle, its scope (with all the framework added: app, router,
    route, endpoint, three ``AsyncExitStack``s) and its headers on the connection until the next
    request arrives, a minute later on a keep-alive connection. Measured with 10,000 idle
    connections: 11.0 kB each with uvicorn's class, 5.5 kB with this one. It leans on uvicorn's
    internals (pinned in constraints.txt); tests/test_serving.py drives keep-alive, pipelining and an
    answer sent before its request's body ended, so an upgrade that changes them fails there.
    """

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request may have become the current cycle: only a finished one is let go.
        if self.cycle is not None and self.cycle.response_complete and not self.pipeline:
            self.cycle = None  # type: ignore[assignment]
            self.scope = None  # type: ignore[assignment]
            self.headers = []

    def on_body(self, body: bytes) -> None:
        if self.cycle is not None:  # else the rest of a body whose answer already went out: dropped
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.cycle is not None:
            super().on_message_complete()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's connection options from ``settings`` (``limit_concurrency`` deliberately unset)."""
    return {
        "http": IdleLightProtocol,
        "timeout_keep_alive": settings.HTTP_KEEP_ALIVE_S,
        "backlog": settings.HTTP_BACKLOG,
    }
