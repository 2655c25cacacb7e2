"""The renderer's processes: PDF layout runs in a process of its own, beside the worker.

WeasyPrint, Pango and the fonts take about 45 MB once loaded, and a render is Python code that
holds the GIL for its 35-50 ms. Rendering in the worker itself made every worker that ever rendered
a PDF a 140-160 MB process, and threads added no throughput. Here a worker keeps one small pool of
render processes (``RENDER_PROCESSES``, started on the first render): the worker stays at its idle
size, renders run in parallel on as many cores as the pool has processes, and a render process is
replaced after ``RENDER_TASKS_PER_PROCESS`` renders (whatever a layout engine leaks goes with it)
or when it dies. Each render process caps its own address space (``RENDER_MEMORY_MB``): a profile
that would lay out into gigabytes fails its job instead of swapping the machine.

The pool's processes are spawned (a fresh interpreter, not a fork of the worker, whose threads and
connections a fork would copy) and import only the renderer (``render.py``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import resource
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger("mercenary.jobs")


class RenderFailedError(Exception):
    """A render process died or went past its memory cap; the job is retried."""


def _start(memory_bytes: int) -> None:
    """Runs first in each render process: cap the address space, then load the renderer."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    import mercenary.profiles.render  # noqa: F401  (WeasyPrint, Pango, fonts: once per process)


def _render(content: dict[str, Any]) -> bytes:
    from mercenary.profiles.render import render_profile

    return render_profile(content)


class RenderPool:
    """Renders profile PDFs in ``processes`` spawned processes; thread-safe; :meth:`close` when done."""

    def __init__(self, processes: int, *, memory_mb: int, renders_per_process: int) -> None:
        self.processes = processes
        self.memory_bytes = memory_mb * 2**20
        self.renders_per_process = renders_per_process
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self.memory_bytes,),
                    max_tasks_per_child=self.renders_per_process,
                )
            return self._executor

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    async def render(self, content: dict[str, Any]) -> bytes:
        """The PDF of ``content`` (``profiles.pdf.document``'s), laid out in a render process.
        Raises :class:`RenderFailedError` when the process died (the next render starts a new
        pool) or ran out of its memory."""
        pool = self._pool()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, _render, content)
        except BrokenProcessPool as exc:
            self._discard(pool)
            log.warning("a render process died (%s); starting new ones", exc)
            raise RenderFailedError("the render process died") from exc
        except MemoryError as exc:
            raise RenderFailedError(f"the render needed more than {self.memory_bytes // 2**20} MB") from exc

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


_pools: dict[tuple[int, int, int], RenderPool] = {}
_pools_lock = threading.Lock()


def pool_for(processes: int, memory_mb: int, renders_per_process: int) -> RenderPool:
    """The worker's render pool for these settings (one per process)."""
    key = (processes, memory_mb, renders_per_process)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = RenderPool(processes, memory_mb=memory_mb, renders_per_process=renders_per_process)
        return _pools[key]


def close_all() -> None:
    """Stop every render process of this worker (its shutdown)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()
