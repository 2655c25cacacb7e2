"""cProfile over the next N requests of one API process (OBS-5), installed only when
``PROFILE_REQUESTS`` > 0: with it 0 (the default) the stack has no such layer.

The profiler runs from the first request's arrival until the N-th has answered, on the event loop's
thread: everything the process did meanwhile (the requests, the other tasks, the loop itself) is in
it, as in production. Then ``PROFILE_DIR/requests-<pid>-<n>.pstats`` is written and the layer
passes requests straight through. Read it with ``python -m pstats`` or snakeviz (docs/profiling.md).
"""

from __future__ import annotations

import cProfile
import logging
import os
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("mercenary.profiling")


class ProfileMiddleware:
    """Profiles ``app`` over its next ``requests`` HTTP requests, then writes the stats."""

    def __init__(self, app: ASGIApp, *, requests: int, folder: str) -> None:
        self.app = app
        self.left = requests
        self.total = requests
        self.folder = Path(folder)
        self.profiler: cProfile.Profile | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.left <= 0:
            await self.app(scope, receive, send)
            return
        if self.profiler is None:
            self.profiler = cProfile.Profile()
            self.profiler.enable()
        try:
            await self.app(scope, receive, send)
        finally:
            self.left -= 1
            if self.left == 0:
                self._write(self.profiler)

    def _write(self, profiler: cProfile.Profile) -> None:
        profiler.disable()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"requests-{os.getpid()}-{self.total}.pstats"
        profiler.dump_stats(path)
        log.warning("profiled %d requests: %s", self.total, path)
