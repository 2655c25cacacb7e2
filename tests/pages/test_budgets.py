"""The byte budgets of FE-2, checked on what the pages really reference: JS <= 200 KB and CSS <= 50 KB
gzipped on the critical route (the browse page), far lower in fact; no web fonts, no images."""

from __future__ import annotations

import gzip
import re

import httpx

JS_BUDGET = 200 * 1024
CSS_BUDGET = 50 * 1024
# What the pages actually ship, with room to grow: a regression past these is worth a look.
JS_TARGET = 4 * 1024
CSS_TARGET = 2 * 1024


async def test_the_critical_route_is_within_its_byte_budgets(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    sizes = {"js": 0, "css": 0}
    for kind, urls in (("js", scripts), ("css", sheets)):
        for url in urls:
            body = (await client.get(url)).content
            sizes[kind] += len(gzip.compress(body, 9))
    assert 0 < sizes["js"] <= JS_TARGET <= JS_BUDGET, sizes
    assert 0 < sizes["css"] <= CSS_TARGET <= CSS_BUDGET, sizes
    assert "@font-face" not in (await client.get(sheets[0])).text
    assert "<img" not in page.text
