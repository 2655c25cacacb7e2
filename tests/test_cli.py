"""The ``mercenary`` command: migrate, seed, create-admin (serve is exercised by the perf smoke)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from mercenary.cli import build_parser, main
from mercenary.seed import SEED_PASSWORD


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "8192")
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    return path


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_seed_demo_is_reproducible_and_idempotent(
    sqlite_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["seed", "--scale", "demo", "--seed", "7"]) == 0
    first = rows(sqlite_env, "SELECT id, email, name, role, tenant_id FROM users ORDER BY id")
    assert len(first) == 56
    assert {r[3] for r in first} == {"admin", "client", "freelancer"}
    assert main(["seed", "--scale", "demo"]) == 1
    assert main(["seed", "--scale", "demo", "--if-empty"]) == 0

    other = tmp_path / "again.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    assert main(["seed", "--scale", "demo", "--seed", "7"]) == 0
    assert rows(other, "SELECT id, email, name, role, tenant_id FROM users ORDER BY id") == first


def test_seeded_password_verifies(sqlite_env: Path) -> None:
    from argon2 import PasswordHasher

    assert main(["seed"]) == 0
    (hashed,) = rows(sqlite_env, "SELECT password_hash FROM users LIMIT 1")[0]
    assert PasswordHasher().verify(str(hashed), SEED_PASSWORD)


def test_migrate_and_create_admin(sqlite_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["migrate"]) == 0
    monkeypatch.setenv("MERCENARY_ADMIN_PASSWORD", "an admin password")
    assert main(["create-admin", "--email", "Root@Example.com"]) == 0
    assert rows(sqlite_env, "SELECT email, role FROM users") == [("root@example.com", "admin")]
    assert main(["create-admin", "--email", "root@example.com"]) == 1
    monkeypatch.setenv("MERCENARY_ADMIN_PASSWORD", "short")
    assert main(["create-admin", "--email", "other@example.com"]) == 2


def test_parser_knows_every_command() -> None:
    parser = build_parser()
    args = parser.parse_args(["serve", "--port", "9000", "--workers", "2"])
    assert (args.host, args.port, args.workers) == ("127.0.0.1", 9000, 2)
    with pytest.raises(SystemExit):
        parser.parse_args(["seed", "--scale", "huge"])


def test_sweep_blobs_deletes_the_files_no_row_names_past_the_grace(
    sqlite_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mercenary sweep-blobs`` (cron, or after a bulk delete): what the workers' hourly sweep does."""
    assert main(["migrate"]) == 0
    folder = tmp_path / "blobs"
    monkeypatch.setenv("BLOB_URL", f"file:///{folder}")
    old, young = (folder / "aa" / ("a" * 32)), (folder / "bb" / ("b" * 32))
    for blob in (old, young):
        blob.parent.mkdir(parents=True)
        blob.write_bytes(b"an orphan")
    two_hours_ago = time.time() - 7_200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert main(["sweep-blobs"]) == 0  # the default grace (an hour): only the old file goes
    assert not old.exists() and young.exists()
    assert main(["sweep-blobs", "--grace-s", "0"]) == 0
    assert not young.exists()
