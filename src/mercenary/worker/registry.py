"""Which function runs which job: ``@job(SPEC)`` in ``<domain>/jobs.py``, and the list of those
modules a worker loads.

Adding a job is three lines (docs/jobs.md): a ``JobSpec`` beside the service that enqueues it, a
handler decorated with ``@job(SPEC)``, and its module in :data:`JOB_MODULES` if it is new.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from mercenary.backends.queue import JobSpec
from mercenary.state import AppState

Handler = Callable[..., Awaitable[None]]
H = TypeVar("H", bound=Handler)

# The modules whose handlers every worker runs.
JOB_MODULES: tuple[str, ...] = ("mercenary.reviews.jobs", "mercenary.cvs.jobs")

HANDLERS: dict[str, tuple[JobSpec, Handler]] = {}


def job(spec: JobSpec) -> Callable[[H], H]:
    """Make the decorated ``async def handler(state: AppState, **kwargs)`` the one that runs
    ``spec``. Handlers must be idempotent: a job may run more than once (JOB-4)."""

    def register(handler: H) -> H:
        known = HANDLERS.get(spec.name)
        if known is not None and known[1] is not handler:
            raise ValueError(f"job {spec.name!r} already has a handler ({known[1].__qualname__})")
        HANDLERS[spec.name] = (spec, handler)
        return handler

    return register


def load(extra: Iterable[str] = ()) -> dict[str, tuple[JobSpec, Handler]]:
    """Import :data:`JOB_MODULES` and ``extra``; every job they declare, by name."""
    for module in (*JOB_MODULES, *extra):
        importlib.import_module(module)
    return dict(HANDLERS)


def specs(extra: Iterable[str] = ()) -> dict[str, JobSpec]:
    """Every known job's spec by name (what the relay and requeue rebuild messages from)."""
    return {name: spec for name, (spec, _) in load(extra).items()}


def bind(handler: Handler, state: AppState) -> Callable[..., Awaitable[None]]:
    """``handler`` with the worker's state as its first argument (what Dramatiq's actor calls)."""

    async def run(**kwargs: Any) -> None:
        await handler(state, **kwargs)

    run.__name__ = getattr(handler, "__name__", "job")
    run.__qualname__ = getattr(handler, "__qualname__", "job")
    return run
