"""The broker for a queue URL: the mapping is data, the import happens when a process opens it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from dramatiq import Broker, Message

    from mercenary.settings import Settings

BROKERS = {
    "sqlite": "mercenary.backends.queue.sqlite:SQLiteBroker",
    "redis": "mercenary.backends.queue.redis:RedisBroker",
    "rediss": "mercenary.backends.queue.redis:RedisBroker",
}


class UnsupportedQueueError(ValueError):
    """QUEUE_URL names no known broker."""


class QueueBroker(Protocol):
    """What Mercenary needs from a broker beyond Dramatiq's own interface."""

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        """Store ``message`` (after ``delay`` ms)."""
        ...

    def depth(self, queue_name: str) -> int:
        """Messages of the queue waiting, delayed or running."""
        ...

    def ping(self) -> None:
        """Raise if the broker cannot be reached."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def open_broker(settings: Settings, *, middleware: list[Any] | None = None) -> Broker:
    """The broker ``settings.queue_url`` names, with ``middleware`` (none for a process that only
    sends). Connections open lazily, so this works while the broker is down."""
    url = settings.queue_url
    scheme = urlsplit(url).scheme
    if scheme not in BROKERS:
        raise UnsupportedQueueError(f"unsupported queue {scheme!r}; use sqlite:/// or redis://")
    module, _, name = BROKERS[scheme].partition(":")
    cls = getattr(importlib.import_module(module), name)
    if scheme == "sqlite":
        broker: Broker = cls(url, middleware=middleware or [])
    else:
        broker = cls(
            url,
            namespace=settings.QUEUE_NAMESPACE,
            dead_worker_s=settings.QUEUE_DEAD_WORKER_S,
            middleware=middleware or [],
        )
    return broker
