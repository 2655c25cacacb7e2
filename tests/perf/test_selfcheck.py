"""The generator's self-check: it measures a ceiling against the trivial server, caches it per
host, and judges later runs against 70 % of it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

import mercenary_perf.selfcheck as selfcheck
import mercenary_perf.trivial_server as trivial_server


async def test_trivial_server_answers_pipelined_gets_and_stops_by_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    task = asyncio.create_task(trivial_server.serve(0, max_seconds=1.0))
    for _ in range(50):
        await asyncio.sleep(0.02)
        if "PORT" in (printed := capsys.readouterr().out):
            break
    port = int(printed.split()[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3)  # pipelined
    await writer.drain()
    data = b""
    while data.count(b"200 OK") < 3:
        data += await asyncio.wait_for(reader.read(4096), 2)
    writer.close()
    await writer.wait_closed()
    await asyncio.wait_for(task, 3)  # returns by itself after max_seconds


async def test_measured_ceiling_is_cached_and_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERCENARY_PERF_STATE", str(tmp_path))
    data = await selfcheck.measure_ceiling(step_s=0.5, max_rate=500)
    assert data["ceiling_rps"] in (250, 500)
    assert data["reliable_up_to_rps"] == pytest.approx(data["ceiling_rps"] * 0.7)
    assert data["steps"][0]["rate"] == 250
    assert selfcheck.cached_ceiling() == data
    assert selfcheck.reliability(100, data)["reliable"] is True
    judged = selfcheck.reliability(data["ceiling_rps"], data)
    assert judged["reliable"] is False and judged["note"].startswith("UNRELIABLE")
    assert selfcheck.reliability(100, None)["reliable"] is None


def test_trivial_server_process_serves_http() -> None:
    server = selfcheck.TrivialServer(max_seconds=20)
    try:

        async def get() -> tuple[int, str]:
            async with aiohttp.ClientSession() as session, session.get(server.url + "/") as response:
                return response.status, await response.text()

        assert asyncio.run(get()) == (200, "ok")
    finally:
        server.stop()
    assert server.proc.returncode is not None
