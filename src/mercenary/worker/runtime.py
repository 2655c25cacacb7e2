"""One worker process: Dramatiq's worker threads over every priority's queue, an event loop that
runs the async handlers with the app's state, and the outbox relay.

Dramatiq's own ``dramatiq`` command forks processes and reads actors from import paths; here one
process is one worker (run more for more), so ``mercenary worker`` starts under any supervisor
and a test can SIGKILL exactly one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Iterable
from typing import Any

import dramatiq
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.middleware import CurrentMessage, Retries, ShutdownNotifications, TimeLimit

from mercenary.backends.queue.brokers import open_broker
from mercenary.backends.queue.spec import PRIORITIES, RANK
from mercenary.observability import tracing
from mercenary.profiles import render_pool
from mercenary.settings import Settings
from mercenary.state import AppState
from mercenary.worker.dead_letters import DeadLetters
from mercenary.worker.metrics import JobMetrics
from mercenary.worker.registry import bind, load
from mercenary.worker.relay import relay_forever
from mercenary.worker.sweep import sweep_forever

log = logging.getLogger("mercenary.jobs")

# How long a worker thread or an idle consumer sleeps between looks (ms): the most a high job
# waits for a free worker's consumer to notice it.
WORKER_TIMEOUT_MS = 1_000


def build_broker(settings: Settings, state: AppState, modules: Iterable[str] = ()) -> dramatiq.Broker:
    """The worker's broker with its middleware and one actor per known job."""
    broker = open_broker(
        settings,
        middleware=[
            TimeLimit(),  # a run longer than its job's lease is aborted, then retried
            ShutdownNotifications(),
            CurrentMessage(),
            JobMetrics(),  # wait, run time and failures of every attempt (OBS-1)
            # "after" hooks run in reverse order: Retries gives its verdict (retry later, or
            # failed for good) before DeadLetters reads it.
            DeadLetters(state),
            Retries(),  # exponential backoff with jitter (dramatiq.common.compute_backoff)
        ],
    )
    for name, (spec, handler) in load(modules).items():
        run: Any = bind(handler, state)
        if tracing.enabled():
            from mercenary.worker.tracing import traced

            run = traced(name, run)
        dramatiq.actor(
            actor_name=name,
            queue_name=spec.priority,
            priority=RANK[spec.priority],
            broker=broker,
            max_retries=spec.max_retries,
            min_backoff=int(spec.min_backoff_s * 1000),
            max_backoff=int(spec.max_backoff_s * 1000),
            time_limit=spec.lease_ms,
        )(run)
    for priority in PRIORITIES:  # consume every priority, even one no job uses yet
        broker.declare_queue(priority)
    return broker


def run(settings: Settings, *, modules: Iterable[str] = (), threads: int | None = None) -> int:
    """Run a worker until SIGTERM or SIGINT, then stop gracefully: running jobs get up to
    ``WORKER_STOP_TIMEOUT_S`` to finish, and jobs fetched but not started go back to their queue."""
    modules = tuple(modules)
    tracing.setup(settings, role="worker")
    loop_thread = EventLoopThread(log)
    loop_thread.start(timeout=10)
    set_event_loop_thread(loop_thread)
    state: AppState = loop_thread.run_coroutine(AppState.open(settings))
    broker = build_broker(settings, state, modules)
    worker = dramatiq.Worker(
        broker, worker_threads=threads or settings.WORKER_THREADS, worker_timeout=WORKER_TIMEOUT_MS
    )
    known = {name: spec for name, (spec, _) in load(modules).items()}
    relay = asyncio.run_coroutine_threadsafe(relay_forever(state, known), loop_thread.loop)
    sweep = asyncio.run_coroutine_threadsafe(sweep_forever(state), loop_thread.loop)

    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("worker %d: %s, stopping", os.getpid(), signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker.start()
    log.info(
        "worker %d: running %s on %s",
        os.getpid(),
        ", ".join(sorted(known)),
        settings.queue_url.split("@")[-1],
    )
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        relay.cancel()
        sweep.cancel()
        worker.stop(timeout=int(settings.WORKER_STOP_TIMEOUT_S * 1000))
        broker.close()
        loop_thread.run_coroutine(state.close())
        render_pool.close_all()
        loop_thread.stop()  # type: ignore[no-untyped-call]
        set_event_loop_thread(None)
        tracing.shutdown()  # exports the spans still in its batch
    log.info("worker %d: stopped", os.getpid())
    return 0
