"""The embedded queue: a Dramatiq broker on one SQLite file (no server; one machine).

Dramatiq ships no maintained embedded broker, so this is the small piece written here. A message
is a row. Fetching one leases it (``leased_until``) to its consumer instead of deleting it, and
acknowledging deletes it, so a worker killed mid-job loses nothing: once the lease runs out the
row is visible again and another worker runs the job (at-least-once, JOB-4). A live consumer
renews the leases of the messages it holds every second, as Redis' broker sends heartbeats, so a
long job on a live worker is not taken twice; how long a job may run is its time limit (the
lease, enforced by the worker's TimeLimit middleware).

Delays (retries) work as on Redis: the message goes to ``<queue>.DQ`` with an ``eta`` and the
worker moves it back when due. Several processes (the API enqueueing, any number of workers) share
the file: WAL, every statement autocommitted and atomic (a fetch is one ``UPDATE ... RETURNING``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from dramatiq.broker import Broker, Consumer, MessageProxy
from dramatiq.common import compute_backoff, current_millis, dq_name, q_name
from dramatiq.message import Message

DEFAULT_LEASE_MS = 300_000
RENEW_EVERY_S = 1.0
BUSY_TIMEOUT_MS = 5_000

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS queue_messages ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, queue TEXT NOT NULL,"
    " data BLOB NOT NULL, lease_ms INTEGER NOT NULL, leased_until INTEGER NOT NULL DEFAULT 0,"
    " owner TEXT)",
    "CREATE INDEX IF NOT EXISTS ix_queue_messages_queue_seq ON queue_messages (queue, seq)",
)
FETCH = (
    "UPDATE queue_messages SET leased_until = :now + lease_ms, owner = :owner WHERE seq IN ("
    " SELECT seq FROM queue_messages WHERE queue = :queue AND leased_until < :now ORDER BY seq LIMIT :n)"
    " RETURNING seq, key, data"
)


def path_of(url: str) -> Path:
    """The file of ``sqlite:///relative.db`` or ``sqlite:////absolute.db``."""
    scheme, _, rest = url.partition("://")
    if scheme != "sqlite" or not rest.startswith("/") or len(rest) < 2:
        raise ValueError(f"not an SQLite queue URL: {url!r} (use sqlite:///path/queue.db)")
    return Path(rest[1:])


class SQLiteBroker(Broker):
    """A Dramatiq broker storing messages in one SQLite file."""

    def __init__(self, url: str, *, middleware: list[Any] | None = None) -> None:
        super().__init__(middleware=middleware)
        self.path = path_of(url)
        self.broker_id = str(uuid.uuid4())
        self.queues: set[str] = set()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._ready = False

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (workers, consumers and the API's thread pool each use their own).

        The file and its schema (the broker's own storage, like Redis keys) are made on first use,
        so a process starts while the queue's disk is unavailable and its outbox holds the jobs."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            with self._lock:
                if not self._ready:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
                )
                if not self._ready:
                    db.execute("PRAGMA journal_mode=WAL")
                    for statement in SCHEMA:
                        db.execute(statement)
                    self._ready = True
                db.execute("PRAGMA synchronous=NORMAL")
                self._all.append(db)
            self._local.db = db
        return db

    def close(self) -> None:
        """Let go of every connection this broker opened; each closes once nothing uses it.

        Not ``Connection.close()`` from here: another thread may be running a statement on its
        connection at this moment (a depth read of the API's thread pool that outlived its
        timeout), and closing a connection under a running statement crashes the process. Dropped,
        a connection is closed by its last user's release."""
        with self._lock:
            self._all.clear()
        self._local = threading.local()

    @property
    def consumer_class(self) -> type[_SQLiteConsumer]:
        return _SQLiteConsumer

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        """A consumer of ``queue_name`` holding at most ``prefetch`` messages."""
        return _SQLiteConsumer(self, queue_name, prefetch, timeout)

    def declare_queue(self, queue_name: str) -> None:
        """Declare ``queue_name`` and its delay queue (no storage to create: one table holds all)."""
        if queue_name not in self.queues:
            self.emit_before("declare_queue", queue_name)
            self.queues.add(queue_name)
            self.emit_after("declare_queue", queue_name)
            delayed = dq_name(queue_name)
            self.delay_queues.add(delayed)
            self.emit_after("declare_delay_queue", delayed)

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        """Store ``message``; with ``delay`` (ms), on the delay queue with an ``eta``."""
        queue_name = message.queue_name
        # Each stored copy has its own key: a retried message is stored again under a new one.
        message = message.copy(options={"queue_key": str(uuid.uuid4())})
        if delay is not None:
            queue_name = dq_name(queue_name)
            message = message.copy(queue_name=queue_name, options={"eta": current_millis() + delay})
        self.emit_before("enqueue", message, delay)
        self._db().execute(
            "INSERT INTO queue_messages (key, queue, data, lease_ms) VALUES (?, ?, ?, ?)",
            (
                message.options["queue_key"],
                queue_name,
                message.encode(),
                int(message.options.get("lease_ms", DEFAULT_LEASE_MS)),
            ),
        )
        self.emit_after("enqueue", message, delay)
        return message

    def get_declared_queues(self) -> set[str]:
        return self.queues.copy()

    def depth(self, queue_name: str) -> int:
        """Messages of ``queue_name`` waiting, delayed or running."""
        row = (
            self._db()
            .execute(
                "SELECT count(*) FROM queue_messages WHERE queue IN (?, ?)", (queue_name, dq_name(queue_name))
            )
            .fetchone()
        )
        return int(row[0])

    def ping(self) -> None:
        """Raise if the file cannot be read."""
        self._db().execute("SELECT 1 FROM queue_messages LIMIT 1").fetchall()

    def flush(self, queue_name: str) -> None:
        """Drop every message of ``queue_name`` and its delay queue."""
        self._db().execute(
            "DELETE FROM queue_messages WHERE queue IN (?, ?)", (queue_name, dq_name(queue_name))
        )

    def flush_all(self) -> None:
        self._db().execute("DELETE FROM queue_messages")

    def join(self, queue_name: str, *, interval: int = 100, timeout: int | None = None) -> None:
        """Wait until ``queue_name`` has no message left (tests and the CLI)."""
        deadline = None if timeout is None else time.monotonic() + timeout / 1000
        while self.depth(q_name(queue_name)):
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"queue {queue_name!r} still has messages")
            time.sleep(interval / 1000)

    # What consumers call.

    def _fetch(self, queue_name: str, owner: str, n: int) -> list[tuple[int, str, bytes]]:
        rows = self._db().execute(
            FETCH, {"now": current_millis(), "owner": owner, "queue": queue_name, "n": n}
        )
        return sorted(rows.fetchall())

    def _delete(self, key: str, owner: str) -> None:
        self._db().execute("DELETE FROM queue_messages WHERE key = ? AND owner = ?", (key, owner))

    def _release(self, keys: list[str], owner: str) -> None:
        self._db().executemany(
            "UPDATE queue_messages SET leased_until = 0, owner = NULL WHERE key = ? AND owner = ?",
            [(key, owner) for key in keys],
        )

    def _renew(self, keys: list[str], owner: str) -> None:
        now = current_millis()
        self._db().executemany(
            "UPDATE queue_messages SET leased_until = ? + lease_ms WHERE key = ? AND owner = ?",
            [(now, key, owner) for key in keys],
        )


class _SQLiteConsumer(Consumer):
    """Fetches up to ``prefetch`` messages at a time and holds their leases until acked."""

    def __init__(self, broker: SQLiteBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self.prefetch = prefetch
        self.timeout = timeout
        # A consumer is one owner: leases are renewed, acked and released by it alone.
        self.owner = f"{broker.broker_id}:{uuid.uuid4().hex[:8]}"
        self.cache: list[bytes] = []
        self.held: set[str] = set()
        self.misses = 0
        self.renewed = time.monotonic()

    def ack(self, message: MessageProxy) -> None:
        key = message.options["queue_key"]
        self.broker._delete(key, self.owner)
        self.held.discard(key)

    # A message that failed for good is dead-lettered in the application database by the worker
    # (worker/dead_letters.py); the queue drops it.
    nack = ack

    def requeue(self, messages: Any) -> None:
        keys = [m.options["queue_key"] for m in messages]
        if keys:
            self.broker._release(keys, self.owner)
            self.held.difference_update(keys)

    def close(self) -> None:
        # Hand back everything still held: fetched but never started, and (on a stop whose grace
        # ran out) still running, as the process is about to exit. A late ack of a job someone
        # else has taken since deletes nothing (the owner differs); the job runs again.
        if self.held:
            self.broker._release(sorted(self.held), self.owner)
            self.held.clear()
        self.cache.clear()

    def __next__(self) -> MessageProxy | None:
        if self.held and time.monotonic() - self.renewed >= RENEW_EVERY_S:
            self.broker._renew(sorted(self.held), self.owner)
            self.renewed = time.monotonic()
        if not self.cache and len(self.held) < self.prefetch:
            rows = self.broker._fetch(self.queue_name, self.owner, self.prefetch - len(self.held))
            self.held.update(key for _, key, _ in rows)
            self.cache = [data for _, _, data in rows]
        if self.cache:
            self.misses = 0
            return MessageProxy(Message.decode(self.cache.pop(0)))
        # Nothing to do: poll again a little later each time, up to the idle timeout.
        self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
        time.sleep(backoff_ms / 1000)
        return None
