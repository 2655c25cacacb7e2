"""A job run as a span of the trace that enqueued it (OBS-3), when the worker traces.

Dramatiq runs an async actor by handing its coroutine to the event-loop thread, where the worker
thread's context (and so the current message) is not visible. This wrapper reads the message's
``traceparent`` on the worker thread, then runs the handler inside the job's span on the loop, so
the statements and Redis commands of the job are the span's children.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import CurrentMessage

from mercenary.observability import tracing


def traced(name: str, run: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """``run`` (a bound handler) as a synchronous actor function whose runs are spans."""

    def traced_run(**kwargs: Any) -> None:
        message = CurrentMessage.get_current_message()
        parent = message.options.get(tracing.TRACEPARENT) if message is not None else None
        message_id = message.message_id if message is not None else ""
        loop = get_event_loop_thread()
        assert loop is not None, "the worker's event loop is not running"
        loop.run_coroutine(tracing.in_job_span(name, message_id, parent, run(**kwargs)))

    traced_run.__name__ = getattr(run, "__name__", "job")
    traced_run.__qualname__ = getattr(run, "__qualname__", "job")
    return traced_run
