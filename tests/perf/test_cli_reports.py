"""The command line, report formats, comparison and the dataset reader, end to end on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mercenary_perf.cli import main
from mercenary_perf.data import load_sqlite, postgres_dsn, sqlite_path
from mercenary_perf.report.schema import SCHEMA, read_json

from .servers import ServerThread


def test_load_writes_all_formats_and_exit_status_follows_verdict(
    trivial: ServerThread, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    code = main(
        ["load", trivial.url + "/health", "--rate", "50", "--duration", "1", "-H", "X-Test: 1",
         "--p95", "500",
         "--json", str(out / "a.json"), "--md", str(out / "a.md"), "--html", str(out / "a.html")]
    )  # fmt: skip
    assert code == 0
    report = read_json(out / "a.json")
    assert report["schema"] == SCHEMA
    assert report["overall"]["count"] == 50
    assert report["endpoints"]["GET /health"]["outcomes"]["ok"] == 50
    assert report["generator"]["reliable"] is None  # no ceiling measured in this test's state folder
    assert "| PERF-2 | p95 (overall) < 500 ms |" in (out / "a.md").read_text()
    page = (out / "a.html").read_text()
    assert page.count("<svg") == 3
    assert "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")

    assert (
        main(
            [
                "load",
                trivial.url + "/fail",
                "--rate",
                "20",
                "--duration",
                "0.5",
                "--json",
                str(out / "b.json"),
            ]
        )
        == 1
    )
    failed = read_json(out / "b.json")
    assert failed["overall"]["outcomes"]["server"] == 10
    assert failed["passed"] is False

    assert main(["compare", str(out / "a.json"), str(out / "b.json"), "--out", str(out / "c.md")]) == 0
    text = (out / "c.md").read_text()
    assert "| overall rate | 50.0 | 20.0 | 0.40x |" in text


def test_refuses_non_loopback_targets() -> None:
    with pytest.raises(SystemExit, match="only loopback"):
        main(["load", "http://example.com/", "--rate", "1", "--duration", "1"])


def test_smoke_gate_passes_against_a_healthy_service(
    marketplace: ServerThread, seeded_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "smoke.json"
    code = main(
        ["smoke", "--base-url", marketplace.url, "--db-url", seeded_db, "--duration", "3", "--json", str(out)]
    )
    report = json.loads(out.read_text())
    assert code == 0, report["thresholds"]
    assert {"GET /health", "GET /api/v1/users/me", "GET /api/v1/users"} <= set(report["endpoints"])
    assert report["overall"]["statuses"].get("401") is None  # tokens of seeded users were used
    assert any("skills is not served" in n for n in report["notes"])


def test_browse_follows_cursors_and_flags_missing_routes(
    marketplace: ServerThread, seeded_db: str, tmp_path: Path
) -> None:
    code = main(["run", "browse", "--base-url", marketplace.url, "--db-url", seeded_db, "--rate", "20",
                 "--duration", "2", "--out", str(tmp_path)])  # fmt: skip
    report = read_json(tmp_path / "browse.json")
    assert code == 0, report["thresholds"]
    assert report["endpoints"]["GET /api/v1/projects"]["count"] > 40  # pages after the first
    assert report["flows"]["browse"]["count"] == 40

    code = main(["run", "read-heavy", "--base-url", marketplace.url, "--db-url", seeded_db, "--rate", "20",
                 "--duration", "1", "--out", str(tmp_path)])  # fmt: skip
    report = read_json(tmp_path / "read-heavy.json")
    assert any(n.startswith("endpoint not served") for n in report["notes"])
    assert report["endpoints"]["GET /api/v1/projects/{id}"]["missing"] is True


def test_pages_browse_without_next_links_sends_the_plain_page(
    trivial: ServerThread, seeded_db: str, tmp_path: Path
) -> None:
    code = main(["run", "pages-browse", "--base-url", trivial.url, "--db-url", seeded_db, "--rate", "20",
                 "--duration", "1", "--out", str(tmp_path)])  # fmt: skip
    report = read_json(tmp_path / "pages-browse.json")
    assert code == 0, report["thresholds"]
    assert any("no next-page link" in n for n in report["notes"])
    assert "GET /?cursor" not in report["endpoints"]  # sent as the plain page instead
    assert sum(e["count"] for e in report["endpoints"].values()) == 20


async def test_dataset_reader_and_urls(seeded_db: str) -> None:
    ds = await load_sqlite(seeded_db, 1000)
    assert ds.counts() == {
        "users": 30,
        "projects": 30,
        "proposals": 0,
        "skills": 1,
        "organizations": 0,
        "public_ids": 15,  # the open ones (none is closed)
        "texts": 0,  # no description column in this file: no search vocabulary, no error either
        "live_bids": 0,  # no proposals table
        "editable": 30,  # drafts and open projects of the sampled clients' organization (tenant 1)
    }
    assert sorted(ds.editable) == [1]
    assert sorted(ds.live_bids) == sorted(u["id"] for u in ds.users_with_role("freelancer"))
    assert len(ds.open_projects()) == 15
    assert len(ds.users_with_role("freelancer")) == 10
    assert sqlite_path("sqlite:////abs/x.db") == Path("/abs/x.db")
    assert sqlite_path("sqlite:///var/x.db") == Path("var/x.db")
    assert postgres_dsn("postgresql+asyncpg://u@127.0.0.1:5433/db") == "postgresql://u@127.0.0.1:5433/db"
