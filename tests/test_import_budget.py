"""The API process stays lean: importing the app pulls in no harness, worker or heavy library."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("mercenary_perf", "mercenary.worker", "aiohttp", "hdrhistogram", "numpy", "alembic", "greenlet")


def test_app_import_budget() -> None:
    code = (
        "import sys; import mercenary.app; "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} or m in {FORBIDDEN!r}]; "
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
