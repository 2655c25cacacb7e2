"""``web/middleware/protocol.py`` on a real uvicorn over a socket: an unhandled error is a 500
problem+json on a connection that stays open, logged once; HEAD is answered as GET without a body."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import orjson
import pytest
import uvicorn
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.serving import uvicorn_options
from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[FastAPI, int]]:
    app = create_app(settings)
    app.add_api_route("/boom", boom)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(settings)
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield app, port
    server.should_exit = True
    await task


async def answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return head, await reader.readexactly(length)


def request(method: str, path: str) -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode()


async def test_an_unhandled_error_is_a_problem_on_a_connection_that_stays_open(
    served: tuple[FastAPI, int], caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served[1])
    with caplog.at_level(logging.INFO):
        writer.write(request("GET", "/boom"))
        head, body = await answer(reader)
    assert head.startswith(b"HTTP/1.1 500 ")
    assert b"application/problem+json" in head
    assert b"connection: close" not in head.lower()
    assert orjson.loads(body)["code"] == "internal_error"
    # Logged once, with its traceback, by the app; the server saw no exception.
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and "a bug" in str(tracebacks[0].exc_info[1])  # type: ignore[index]
    assert not [r for r in caplog.records if "Exception in ASGI application" in r.getMessage()]
    # Keep-alive: the same connection serves the next request.
    writer.write(request("GET", "/health"))
    head, _ = await answer(reader)
    assert head.startswith(b"HTTP/1.1 200 ")
    writer.close()


async def test_head_over_a_socket_has_the_get_headers_and_no_body(served: tuple[FastAPI, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served[1])
    writer.write(request("GET", "/health"))
    _, get_body = await answer(reader)
    writer.write(request("HEAD", "/health") + request("GET", "/health"))
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    assert length and int(length[0].split(b":")[1]) == len(get_body)
    # No body followed the HEAD's headers: the next bytes are the pipelined GET's answer.
    next_head, next_body = await answer(reader)
    assert next_head.startswith(b"HTTP/1.1 200 ") and next_body == get_body
    writer.close()
