"""pages-browse: anonymous visitors on the server-rendered market page (FE-1, SLO-1).

Traffic: 300 req/s for 60 s of `GET /` (Accept: text/html) by visitors with no session: 40 % the
plain page, 25 % a search (the words and skills of `SearchTerms`, drawn with Zipf's law over the
sampled project text), 15 % a skill filter (a sampled skill), 20 % a next page: a "Next page" link
found in setup by following the pages of the plain, filtered and searched market (page 2 twice as
likely as page 3). Each kind is its own endpoint, all in the group `page`.
Thresholds: the page p95 < 200, p99 < 500 (SLO-1); errors < 0.1 % (SLO-3).
"""

from __future__ import annotations

import asyncio
import html
import re
from urllib.parse import parse_qsl

import aiohttp

from mercenary_perf.generator import Flow, Session
from mercenary_perf.sampling import SearchTerms
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate, p95, p99

PLAIN, SEARCH, SKILLS, NEXT = "GET /", "GET /?q", "GET /?skills", "GET /?cursor"
PAGE_ENDPOINTS = (PLAIN, SEARCH, SKILLS, NEXT)
WEIGHTS = (40, 25, 15, 20)
HTML = {"Accept": "text/html,application/xhtml+xml"}
NEXT_LINK = re.compile(r'<a href="/\?([^"]*)" rel="next">')
STARTS = 24  # market pages whose "Next page" links setup follows
DEPTH = 2  # next pages followed from each start (pages 2 and 3)

Params = dict[str, str]


def next_params(page: str) -> Params | None:
    """The query of a market page's "Next page" link, or None on the last page."""
    found = NEXT_LINK.search(page)
    return dict(parse_qsl(html.unescape(found.group(1)))) if found else None


async def _follow(ctx: Context, start: Params, sem: asyncio.Semaphore) -> list[tuple[Params, int]]:
    """The next pages of ``start`` (up to ``DEPTH``) with their depth (1 for page 2)."""
    found: list[tuple[Params, int]] = []
    params = start
    for depth in range(1, DEPTH + 1):
        try:
            async with sem, ctx.http.get("/", params=params, headers=HTML) as resp:
                page = await resp.text() if resp.status == 200 else ""
        except (aiohttp.ClientError, OSError, TimeoutError):
            return found
        following = next_params(page)
        if following is None:
            return found
        found.append((following, depth))
        params = following
    return found


async def collect_cursors(ctx: Context, search: SearchTerms, skills: list[str]) -> list[tuple[Params, int]]:
    """Next-page queries of the plain market, of skill filters and of searches (not measured)."""
    rng = ctx.rng
    starts: list[Params] = [{}]
    starts += [{"skills": s} for s in rng.sample(skills, min(STARTS // 2, len(skills)))]
    starts += [search.query(rng) for _ in range(STARTS - len(starts))]
    sem = asyncio.Semaphore(4)
    results = await asyncio.gather(*(_follow(ctx, s, sem) for s in starts))
    return [pair for found in results for pair in found]


async def setup(ctx: Context) -> Flow:
    """Sample the search words and skills; find next-page links to follow."""
    ds, rng = ctx.dataset, ctx.rng
    skills = [str(s["slug"]) for s in ds.skills]
    search = SearchTerms(ds.texts, rng)
    if not search.from_project_text:
        ctx.notes.append("no project text sampled: searches use only the fallback words")
    cursors = await collect_cursors(ctx, search, skills)
    if not cursors:
        ctx.notes.append("no next-page link found in setup: next pages are sent as the plain page")
    depth_weights = [1 / depth for _, depth in cursors]

    async def flow(s: Session) -> None:
        kind = rng.choices(PAGE_ENDPOINTS, WEIGHTS)[0]
        params: Params = {}
        if kind == SEARCH:
            params = search.query(rng)
        elif kind == SKILLS and skills:
            params = {"skills": rng.choice(skills)}
        elif kind == NEXT and cursors:
            params = rng.choices(cursors, depth_weights)[0][0]
        else:
            kind = PLAIN
        await s.request(kind, "GET", "/", params=params, headers=HTML)

    return flow


SCENARIO = Scenario(
    name="pages-browse",
    traffic=__doc__ or "",
    requirements=("FE-1", "SLO-1", "SLO-3"),
    setup=setup,
    shape=constant,
    rate=300,
    duration_s=60,
    thresholds=(p95(200, "SLO-1", "group:page"), p99(500, "SLO-1", "group:page"), error_rate(0.001, "SLO-3")),
    groups={"page": PAGE_ENDPOINTS},
)
