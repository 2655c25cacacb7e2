"""Honest traffic against the real service (demo dataset): writes are real writes, reads are skewed.

A client patches only its own organization's editable projects (no 404), a freelancer bids only where
it has no live proposal (no 409), project ids and search words come from Zipf hot sets over the data.
"""

from __future__ import annotations

from pathlib import Path

from mercenary_perf.cli import main
from mercenary_perf.data import load_dataset
from mercenary_perf.report.schema import read_json
from mercenary_perf.scenarios.pages_browse import PAGE_ENDPOINTS, next_params

PATCH = "PATCH /api/v1/projects/{id}"
BID = "POST /api/v1/projects/{id}/proposals"


def test_mixed_writes_succeed_and_reads_find_the_data(demo_service: tuple[str, str], tmp_path: Path) -> None:
    base_url, db_url = demo_service
    # write-heavy is the mixed traffic with 70 % writes: enough bids and patches in a few seconds
    args = ["run", "write-heavy", "--base-url", base_url, "--db-url", db_url, "--rate", "60",
            "--duration", "4", "--out", str(tmp_path)]  # fmt: skip
    main(args)
    report = read_json(tmp_path / "write-heavy.json")
    endpoints = report["endpoints"]
    patch, bid = endpoints[PATCH], endpoints[BID]
    assert patch["count"] >= 10
    assert bid["count"] >= 20
    assert patch["statuses"] == {"200": patch["count"]}, patch["statuses"]  # no 404: own projects only
    assert bid["statuses"].get("409", 0) <= max(1, bid["count"] // 50), bid["statuses"]
    assert bid["statuses"].get("201", 0) >= bid["count"] - max(1, bid["count"] // 50)
    assert endpoints["POST /api/v1/projects"]["statuses"].keys() == {"201"}
    assert report["overall"]["errors"] == 0
    assert not [n for n in report["notes"] if "no fresh" in n or "no project text" in n]
    for read in ("GET /api/v1/projects/{id}", "GET /api/v1/search/projects"):
        if read in endpoints:  # 30 % reads: usually both appear
            assert set(endpoints[read]["statuses"]) == {"200"}, (read, endpoints[read]["statuses"])


def test_submit_proposal_bids_only_where_the_freelancer_has_none(
    demo_service: tuple[str, str], tmp_path: Path
) -> None:
    base_url, db_url = demo_service
    args = ["run", "submit-proposal", "--base-url", base_url, "--db-url", db_url, "--rate", "5",
            "--duration", "2", "--out", str(tmp_path)]  # fmt: skip
    main(args)
    report = read_json(tmp_path / "submit-proposal.json")
    assert report["flows"]["submit-proposal"]["count"] == 10
    assert report["endpoints"][BID]["statuses"] == {"201": 10}
    assert report["endpoints"]["POST /api/v1/auth/login"]["statuses"] == {"200": 10}


async def test_the_sample_knows_bids_and_editable_projects(demo_service: tuple[str, str]) -> None:
    _, db_url = demo_service
    ds = await load_dataset(db_url)
    assert ds.texts and all(t["skills"] for t in ds.texts)  # every seeded project requires skills
    assert sum(map(len, ds.live_bids.values())) > 0  # the demo seed's live proposals
    assert ds.editable and all(ds.editable.values())
    assert len(ds.public_ids) > len(ds.open_projects())  # closed projects are public too


def test_pages_browse_follows_next_links_of_the_real_market(
    demo_service: tuple[str, str], tmp_path: Path
) -> None:
    base_url, db_url = demo_service
    args = ["run", "pages-browse", "--base-url", base_url, "--db-url", db_url, "--rate", "40",
            "--duration", "2", "--out", str(tmp_path)]  # fmt: skip
    main(args)
    report = read_json(tmp_path / "pages-browse.json")
    endpoints = report["endpoints"]
    assert set(endpoints) == set(PAGE_ENDPOINTS)  # plain, searches, skill filters and next pages
    for name, seen in endpoints.items():
        assert seen["statuses"] == {"200": seen["count"]}, (name, seen["statuses"])
    assert sum(e["count"] for e in endpoints.values()) == 80
    assert report["overall"]["errors"] == 0
    assert not [n for n in report["notes"] if "next-page" in n or "no project text" in n]


def test_next_links_are_read_from_the_page() -> None:
    page = '<nav><a href="/?q=data+api&amp;skills=python&amp;cursor=AbC-_1" rel="next">Next page</a></nav>'
    assert next_params(page) == {"q": "data api", "skills": "python", "cursor": "AbC-_1"}
    assert next_params("<nav><span></span></nav>") is None


async def test_the_pool_renews_its_tokens_before_they_expire(demo_service: tuple[str, str]) -> None:
    """A soak outlives the access tokens setup got (15 min): once most of a token's life has passed,
    the pool rotates every prepared user's refresh token and swaps the new access tokens in, and
    requests keep being answered as the same users."""
    import random

    import aiohttp

    from mercenary_perf.scenarios import renewal
    from mercenary_perf.scenarios.actions import prepare
    from mercenary_perf.scenarios.base import Context, Options

    base_url, db_url = demo_service
    dataset = await load_dataset(db_url)
    async with aiohttp.ClientSession(base_url) as http:
        ctx = Context(Options(base_url=base_url, db_url=db_url), dataset, http, random.Random(5))
        pool = await prepare(ctx, logins=4)
        assert pool.renewer is not None and len(ctx.refresh_tokens) == 4
        assert ctx.expires_in_s is not None and ctx.expires_in_s > 60
        before = {u["id"]: token for u, token in pool.clients + pool.freelancers}
        first_refresh = dict(pool.renewer.refresh_tokens)

        pool.token()  # not due yet: nothing starts
        assert pool.renewer._task is None
        pool.renewer.due = 0.0  # as if 60 % of the tokens' life had passed
        pool.token()
        assert pool.renewer._task is not None
        await pool.renewer._task
        after = {u["id"]: token for u, token in pool.clients + pool.freelancers}
        assert after.keys() == before.keys()  # the same users (a token issued within the same
        # second as the login's may equal it: same subject, same times)
        assert all(pool.renewer.refresh_tokens[k] != first_refresh[k] for k in before)  # rotated
        assert pool.renewer.renewed == 4 and pool.renewer.failed == 0
        assert pool.renewer.due > renewal.time.monotonic() + 60  # the next one, most of a life away
        assert ctx.notes[-1] == "access tokens renewed: 4 users"
        for user, token in pool.clients + pool.freelancers:
            async with http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}) as resp:
                assert resp.status == 200 and (await resp.json())["id"] == user["id"]
        # The setup's refresh tokens were rotated: a second use is refused (and retried later).
        pool.renewer.refresh_tokens = first_refresh
        pool.renewer.due = 0.0
        pool.token()
        assert pool.renewer._task is not None
        await pool.renewer._task
        assert pool.renewer.failed == 4 and "4 failed" in ctx.notes[-1]
        assert pool.renewer.due <= renewal.time.monotonic() + renewal.RETRY_S
