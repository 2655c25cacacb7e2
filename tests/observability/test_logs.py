"""The log format (OBS-2): JSON or console lines carrying the request's correlation id, tenant and
user; the access line; the level setting."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import httpx
import orjson
import pytest

from mercenary.app import app_from_env, create_app
from mercenary.observability.logs import AccessLog, ConsoleFormatter, JsonFormatter
from tests.api.helpers import bearer, signup
from tests.conftest import make_settings


async def test_lines_inside_a_request_carry_its_id_and_caller(
    database_url: str, log_stream: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(make_settings(database_url, DB_SLOW_STATEMENT_MS=0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            user = await signup(client, "ann@example.com")
            capsys.readouterr()
            log_stream.seek(0)
            log_stream.truncate()
            me = await client.get(
                "/api/v1/users/me", headers={**bearer(user["access_token"]), "X-Request-ID": "req-42"}
            )
    assert me.status_code == 200
    ids = user["user"]["id"], user["user"]["tenant_id"]
    statements = [orjson.loads(line) for line in log_stream.getvalue().splitlines()]
    slow = [r for r in statements if r["logger"] == "mercenary.db.slow"]
    assert slow, statements
    for record in slow:  # logged while the request ran: its id and the verified caller
        assert record["request_id"] == "req-42"
        assert (record["user"], record["tenant"]) == ids
        assert record["level"] == "WARNING" and record["ts"].endswith("Z")
        assert isinstance(record["duration_ms"], float)
    (access,) = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert access["logger"] == "mercenary.access" and access["level"] == "INFO"
    assert access["msg"] == "GET /api/v1/users/me 200"
    assert access["request_id"] == "req-42" and (access["user"], access["tenant"]) == ids
    assert access["route"] == "/api/v1/users/me" and access["status"] == 200
    assert access["duration_ms"] >= access["db_ms"] > 0
    assert access["client"] == "127.0.0.1"


@pytest.mark.parametrize(("level", "access_log", "writes"), [("INFO", True, True), ("WARNING", True, False)])
async def test_access_log_follows_the_settings(
    database_url: str, capsys: pytest.CaptureFixture[str], level: str, access_log: bool, writes: bool
) -> None:
    app = create_app(make_settings(database_url, LOG_LEVEL=level, ACCESS_LOG=access_log))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/health")).status_code == 200
    assert ("mercenary.access" in capsys.readouterr().err) is writes


async def test_access_log_can_be_turned_off(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(make_settings(database_url, ACCESS_LOG=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/health")).status_code == 200
    assert "mercenary.access" not in capsys.readouterr().err


def record(**extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord({"name": "mercenary.test", "levelno": 20, "levelname": "INFO"})
    made.msg, made.args = "paid %d times", (3,)
    made.__dict__.update(extra)
    return made


def test_json_and_console_formats() -> None:
    line = orjson.loads(JsonFormatter().format(record(project=7)))
    assert line["msg"] == "paid 3 times" and line["logger"] == "mercenary.test" and line["project"] == 7
    assert "request_id" not in line  # outside a request
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = record()
        failed.exc_info = sys.exc_info()
    assert "ValueError: boom" in orjson.loads(JsonFormatter().format(failed))["exc"]
    console = ConsoleFormatter().format(record(project=7))
    assert "INFO    mercenary.test: paid 3 times  project=7" in console
    assert "ValueError: boom" in ConsoleFormatter().format(failed)


def test_access_log_console_format_and_a_broken_stream() -> None:
    stream = io.StringIO()
    fields = {"method": "GET", "path": "/health", "route": "/health", "status": 200}
    AccessLog("console", stream).write(dict(fields))
    assert "INFO    mercenary.access: GET /health 200  method=GET path=/health" in stream.getvalue()
    stream.close()
    AccessLog("json", stream).write(dict(fields))  # a closed stream loses the line, raises nothing


@pytest.mark.usefixtures("log_stream")  # puts the root logger back afterwards
def test_the_server_factory_configures_logging_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("LOG_FORMAT", "console")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    uvicorn_error = logging.getLogger("uvicorn.error")
    uvicorn_error.addHandler(logging.NullHandler())
    uvicorn_error.propagate = False
    app_from_env()
    root = logging.getLogger()
    (handler,) = root.handlers
    assert isinstance(handler.formatter, ConsoleFormatter) and root.level == logging.DEBUG
    # The server's own lines go through the same handler and format; its access lines go nowhere
    # (the service writes its own: one line per request, not two).
    assert uvicorn_error.propagate and not uvicorn_error.handlers
    assert not logging.getLogger("uvicorn.access").hasHandlers()


def test_made_request_ids_are_unique_and_a_forked_child_makes_its_own() -> None:
    from mercenary.observability.context import request_id

    made = {request_id(None) for _ in range(1000)}
    assert len(made) == 1000 and all(len(i) == 32 for i in made)
    assert request_id(b"abc-123") == b"abc-123" and request_id(b"bad id\n") not in made
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one id, sent to the parent
        os.write(write, request_id(None))
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64)
    assert len(child) == 32 and child[:16] != next(iter(made))[:16]
