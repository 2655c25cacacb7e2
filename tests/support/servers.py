"""The test session's PostgreSQL, Redis and S3: the harness's throwaway servers, in temporary folders.

The one implementation is ``mercenary_perf.rig.services`` (the test dependencies install the
harness): ``PostgresServer.start()`` runs ``initdb`` and ``postgres`` (as the ``postgres`` user
when the suite runs as root, without fsync since the data is thrown away) and ``RedisServer.start()``
a ``redis-server``, each on a free loopback port; ``stop()`` deletes their folders.
"""

from __future__ import annotations

from typing import ClassVar

from mercenary_perf.rig.services import MotoS3, Postgres, Redis

__all__ = ["PostgresServer", "RedisServer", "S3Server"]


class PostgresServer(Postgres):
    """The session's cluster: room for many pools (one per test), and smaller buffers than the rig's."""

    SETTINGS: ClassVar[dict[str, str]] = {"max_connections": "300", "shared_buffers": "128MB"}


RedisServer = Redis
# moto's S3 in server mode (the dev extra installs it), for the S3 blob store's tests.
S3Server = MotoS3
