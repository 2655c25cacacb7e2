"""The distributed queue: Dramatiq's own Redis broker, with the two reads the API needs.

Dramatiq's Redis broker is at-least-once: a fetched message stays in the consumer's ack set until
acknowledged, every broker command is a heartbeat, and queue maintenance moves the unacked
messages of a worker silent for ``heartbeat_timeout`` back to their queue (JOB-4).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from dramatiq.brokers.redis import RedisBroker as _RedisBroker
from dramatiq.common import current_millis, dq_name

SOCKET_TIMEOUT_S = 1.0
# Dead-lettered messages live in our database (worker/dead_letters.py); Redis' own copy of a
# failed message only has to outlive a look during an incident.
DEAD_MESSAGE_TTL_MS = 86_400_000
# Maintenance (moving a dead worker's unacked messages back to their queue) runs inside the
# dispatch script for the queue a command names. Dramatiq picks the commands at random (0.1 %);
# a quiet queue, polled about once a second, could then keep a dead worker's job for half an
# hour. Here each process asks for it on each queue at most every ``dead_worker_s / 2``: a dead
# worker's jobs are back within about 1.5 x QUEUE_DEAD_WORKER_S, for one extra ZRANGEBYSCORE.
MAINTENANCE_COMMAND_BLACKLIST = frozenset({"ack", "nack"})


class RedisBroker(_RedisBroker):
    """Dramatiq's Redis broker, plus the queue depth and a ping."""

    def __init__(
        self, url: str, *, namespace: str, dead_worker_s: float, middleware: list[Any] | None = None
    ):
        pool = redis.ConnectionPool.from_url(
            url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=SOCKET_TIMEOUT_S
        )
        super().__init__(  # type: ignore[no-untyped-call]
            middleware=middleware,
            namespace=namespace,
            heartbeat_timeout=int(dead_worker_s * 1000),
            dead_message_ttl=DEAD_MESSAGE_TTL_MS,
            maintenance_chance=0,
            connection_pool=pool,
        )
        self._maintain_every_s = dead_worker_s / 2
        self._maintained: dict[str, float] = {}

    def _maintain(self, command: str, queue_name: str) -> int:
        if command in MAINTENANCE_COMMAND_BLACKLIST:
            return 0
        now = time.monotonic()
        if now - self._maintained.get(queue_name, 0.0) < self._maintain_every_s:
            return 0
        self._maintained[queue_name] = now
        return 1

    def _dispatch(self, command: str) -> Callable[..., Any]:
        # Dramatiq's own dispatcher (brokers/redis.py, pinned version), with the maintenance flag
        # from _maintain instead of a random draw.
        dispatch = self.scripts["dispatch"]
        keys = [self.namespace]

        def do_dispatch(queue_name: str, *args: Any) -> Any:
            return dispatch(
                args=[
                    command,
                    current_millis(),
                    queue_name,
                    self.broker_id,
                    self.heartbeat_timeout,
                    self.dead_message_ttl,
                    self._maintain(command, queue_name),
                    self._max_unpack_size(),  # type: ignore[no-untyped-call]
                    *args,
                ],
                keys=keys,
            )

        return do_dispatch

    def depth(self, queue_name: str) -> int:
        """Messages of ``queue_name`` waiting, delayed or running (one round trip)."""
        pipe = self.client.pipeline(transaction=False)
        for name in (queue_name, dq_name(queue_name)):
            pipe.hlen(f"{self.namespace}:{name}.msgs")
        return sum(int(n) for n in pipe.execute())

    def ping(self) -> None:
        """Raise if Redis does not answer."""
        self.client.ping()

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()
