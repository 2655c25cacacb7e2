"""A deliberately trivial HTTP/1.1 server, fast enough that the generator is the bottleneck.

Run as ``python -m mercenary_perf.trivial_server [--port P]``; it prints ``PORT <n>`` once
listening on 127.0.0.1 and exits by itself after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import cast

_BODY = b"ok"
_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (
    len(_BODY),
    _BODY,
)


class _Protocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        # Requests are GETs without a body: each header block ends with a blank line.
        n = self.buffer.count(b"\r\n\r\n")
        if n:
            self.buffer = self.buffer[self.buffer.rfind(b"\r\n\r\n") + 4 :]
            self.transport.write(_RESPONSE * n)


async def serve(port: int, max_seconds: float) -> None:
    """Serve until ``max_seconds`` have passed."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Protocol, "127.0.0.1", port, backlog=4096)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    async with server:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(max_seconds)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the trivial server process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.run(serve(args.port, args.max_seconds))
    except ImportError:
        asyncio.run(serve(args.port, args.max_seconds))
    sys.exit(0)


if __name__ == "__main__":
    main()
