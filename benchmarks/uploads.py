"""Upload and download throughput of project documents (SLO-11: an upload < 0.5 s per MB; 004 asks
< 2 s), through a real server on loopback.

Not a test: a measurement. It starts ``mercenary serve`` (one process) on a free loopback port with
a throwaway SQLite database and blob folder (or, with ``--blobs s3``, moto's S3 server on another
port), signs up a client, posts a project, then uploads PDFs of each size ``--rounds`` times
(multipart over HTTP/1.1, httpx) and downloads each back. Each figure is wall time per request as
the client sees it: median and p95, seconds per MB and MB/s. The server's resident memory is read
before and after, to show that an upload's size does not become the process's.

    .venv/bin/python benchmarks/uploads.py [--sizes 1,5,10] [--rounds 10] [--blobs file|s3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until
from mercenary_perf.rig.services import MotoS3

MB = 1024 * 1024
BIN = Path(sys.executable).parent


def pdf_of(size: int) -> bytes:
    """A file the pipeline takes for a PDF: the header, incompressible bytes, the trailer."""
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\nstartxref\n0\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5,10", help="file sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--blobs", choices=("file", "s3"), default="file")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="mercenary-upload-bench-"))
    moto = None
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "BLOB_URL": f"file:///{work / 'blobs'}",
        "UPLOAD_MAX_BYTES": str(int(max(sizes) * MB) + MB),
        "RATE_LIMIT_ENABLED": "false",
        "SHED_ENABLED": "false",  # a shared machine lagging the loop would shed uploads (heavy) at random
        "ACCESS_LOG": "false",
        "LOG_LEVEL": "WARNING",
    }
    if args.blobs == "s3":
        moto = MotoS3.start()
        moto.create_bucket("bench")
        env["BLOB_URL"] = moto.url("bench")
    port = free_port()
    subprocess.run([BIN / "mercenary", "migrate"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [BIN / "mercenary", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(f"{base}/health"), 30, "mercenary serve", server)
        with httpx.Client(base_url=base, timeout=60) as client:
            account = {
                "email": "bench@example.com",
                "password": "a long password",
                "name": "Bench",
                "role": "client",
                "organization": "Bench",
            }
            token = client.post("/api/v1/auth/signup", json=account).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            project = {"title": "Bench", "description": "d", "budget": 1}
            pid = client.post("/api/v1/projects", json=project, headers=auth).json()["id"]
            url = f"/api/v1/projects/{pid}/documents"
            before = rss_mb(server.pid)
            print(f"blobs={args.blobs} rounds={args.rounds} server RSS before: {before:.1f} MB")
            print("size MB | upload median s | p95 s | s/MB (p95) | MB/s (median) | download median s | MB/s")
            for size in sizes:
                data = pdf_of(int(size * MB))
                ups, downs = [], []
                for i in range(args.rounds + 1):
                    started = time.perf_counter()
                    answer = client.post(url, files={"file": (f"f{i}.pdf", data)}, headers=auth)
                    took = time.perf_counter() - started
                    assert answer.status_code == 201, answer.text
                    doc = answer.json()["id"]
                    started = time.perf_counter()
                    got = client.get(f"{url}/{doc}", headers=auth)
                    down = time.perf_counter() - started
                    assert got.status_code == 200
                    assert len(got.content) == len(data)
                    client.delete(f"{url}/{doc}", headers=auth)
                    if i:  # the first round warms up
                        ups.append(took)
                        downs.append(down)
                up_med, up_p95, down_med = statistics.median(ups), p95(ups), statistics.median(downs)
                print(
                    f"{size:g} | {up_med:.3f} | {up_p95:.3f} | {up_p95 / size:.3f} | {size / up_med:.1f} | "
                    f"{down_med:.3f} | {size / down_med:.1f}"
                )
            print(f"server RSS after: {rss_mb(server.pid):.1f} MB")
    finally:
        stop(server)
        if moto is not None:
            moto.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
