"""The API process stays lean: importing the app pulls in no harness, worker or heavy library."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = (
    "mercenary_perf",
    "mercenary.worker",
    "aiohttp",
    "hdrhistogram",
    "numpy",
    "alembic",
    "greenlet",
    # The CV parser's libraries and the modules that load them: the worker's alone (docs/cvs.md).
    "pypdfium2",
    "pypdfium2_raw",
    "docx",
    "lxml",
    "mercenary.cvs.extract",
    "mercenary.cvs.parser",
    "mercenary.cvs.samples",
    "aiobotocore",
    "botocore",
    "boto3",
)


def test_app_import_budget() -> None:
    code = (
        "import sys; import mercenary.app; "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} or m in {FORBIDDEN!r}]; "
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# FastAPI itself imports the OpenTelemetry API (for its own telemetry, switched off in app.py), and
# redis-py imports the SDK's metrics package when the SDK is installed; with tracing off nothing of
# ours loads the tracing SDK, the exporter or an instrumentation.
TRACING_MODULES = (
    "opentelemetry.sdk.trace",
    "opentelemetry.exporter",
    "opentelemetry.instrumentation",
    "mercenary.web.middleware.trace",
    "mercenary.observability.sampling",
)


def test_tracing_off_loads_no_tracing_code() -> None:
    code = (
        "import sys; from mercenary.app import create_app; from mercenary.settings import Settings; "
        "create_app(Settings(OTEL_ENABLED=False)); "
        f"bad = [m for m in sys.modules if m.startswith({TRACING_MODULES!r})]; "
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# botocore's service models cost about 30 MB of RSS (docs/files.md): loaded only when BLOB_URL says s3.
S3_MODULES = ("aiobotocore", "botocore", "mercenary.backends.blobs.s3")


def test_the_s3_client_loads_only_for_an_s3_blob_url() -> None:
    code = (
        "import sys; from mercenary.backends.blobs import from_url; "
        "store = from_url(sys.argv[1]); "
        f"print(','.join(sorted(m for m in sys.modules if m.startswith({S3_MODULES!r}))))"
    )
    for url, expected in (("file:///var/blobs", ""), ("s3://bucket", "aiobotocore,botocore,mercenary")):
        out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
        loaded = {m.split(".")[0] for m in out.stdout.strip().split(",") if m}
        assert ",".join(sorted(loaded)) == expected, url
