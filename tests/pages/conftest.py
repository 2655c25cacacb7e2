"""The real service for the browser tests: ``mercenary serve`` on a free loopback port over a SQLite
file seeded with the demo dataset, and where the browser and Lighthouse come from."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "browser"
FIGURES = ROOT / "docs" / "figures" / "pages"


def chromium() -> str:
    """Debian's Chromium (``scripts/system-deps`` installs it)."""
    found = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: run scripts/system-deps (Debian's chromium)")
    return found


def figures_dir(tmp: Path) -> Path:
    """Where reports and screenshots go: ``MERCENARY_FIGURES`` (e.g. docs/figures/pages), else a
    temporary folder, so the test command leaves the work tree as it was."""
    chosen = os.environ.get("MERCENARY_FIGURES")
    folder = Path(chosen) if chosen else tmp
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with the demo dataset, as ``scripts/run`` serves it, or on the database
    ``PAGES_DATABASE_URL`` names (already seeded: ``scripts/lighthouse`` passes the full dataset);
    its base URL."""
    bin_dir = Path(sys.executable).parent
    given = os.environ.get("PAGES_DATABASE_URL")
    db_url = given or f"sqlite:///{tmp_path_factory.mktemp('pages') / 'demo.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "MERCENARY_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_EXEMPT": "127.0.0.0/8",  # one browser on loopback loads many pages quickly
    }
    if not given:
        seed = [str(bin_dir / "mercenary"), "seed", "--scale", "demo"]
        subprocess.run(seed, env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([bin_dir / "mercenary", "serve", "--port", str(port)], env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the service did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(20)
