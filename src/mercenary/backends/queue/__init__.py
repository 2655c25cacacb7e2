"""The job queue: a :class:`JobSpec` per job, and the API's light :class:`JobQueue` client, which
sends a job only once the transaction that asked for it has committed (through an outbox).

The engine is Dramatiq (docs/jobs.md); its broker is chosen by URL (``sqlite://`` embedded,
``redis://`` distributed) and imported lazily, when a process opens the queue.
"""

from mercenary.backends.queue.client import JobQueue
from mercenary.backends.queue.spec import PRIORITIES, JobSpec, Priority

__all__ = ["PRIORITIES", "JobQueue", "JobSpec", "Priority"]
