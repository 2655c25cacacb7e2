"""The RUM endpoint (002 §3.3): web-vitals posted by the pages become histograms by route; anything
else is refused with a 4xx problem and recorded nowhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.metrics import samples, total


async def scrape(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return samples(response.text)


async def test_vitals_are_recorded_by_route(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    report = {
        "route": "/projects/{project_id}",
        "metrics": [
            {"name": "LCP", "value": 1830.5},
            {"name": "INP", "value": 96},
            {"name": "CLS", "value": 0.02},
        ],
    }
    response = await client.post("/rum", json=report)
    assert response.status_code == 204, response.text
    after = await scrape(client)
    route = "/projects/{project_id}"
    for metric in ("LCP", "INP"):
        grew = total(after, "web_vital_seconds_count", route=route, metric=metric) - total(
            before, "web_vital_seconds_count", route=route, metric=metric
        )
        assert grew == 1
    lcp = total(after, "web_vital_seconds_sum", route=route, metric="LCP") - total(
        before, "web_vital_seconds_sum", route=route, metric="LCP"
    )
    assert lcp == pytest.approx(1.8305)
    assert (
        total(after, "web_vital_cls_count", route=route) - total(before, "web_vital_cls_count", route=route)
        == 1
    )
    good_lcp = total(after, "web_vital_seconds_bucket", route=route, metric="LCP", le="2.0")
    assert good_lcp >= 1


@pytest.mark.parametrize(
    "report",
    [
        {"route": "/admin", "metrics": [{"name": "LCP", "value": 1}]},  # not a page's route
        {"route": "/", "metrics": [{"name": "XSS", "value": 1}]},
        {"route": "/", "metrics": [{"name": "LCP", "value": -1}]},
        {"route": "/", "metrics": [{"name": "LCP", "value": 1e12}]},
        {"route": "/", "metrics": [{"name": "CLS", "value": 500}]},
        {"route": "/", "metrics": [{"name": "LCP", "value": 1}, {"name": "LCP", "value": 2}]},
        {"route": "/", "metrics": []},
        {"route": "/", "metrics": [{"name": "LCP", "value": 1}], "user": "someone"},
    ],
)
async def test_bad_reports_are_refused_and_recorded_nowhere(
    client: httpx.AsyncClient, report: dict[str, Any]
) -> None:
    before = await scrape(client)
    response = await client.post("/rum", json=report)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    after = await scrape(client)
    for name in ("web_vital_seconds_count", "web_vital_cls_count"):
        assert total(after, name) == total(before, name)


async def test_non_finite_values_and_non_json_are_refused(client: httpx.AsyncClient) -> None:
    nan = await client.post(
        "/rum",
        content=b'{"route": "/", "metrics": [{"name": "LCP", "value": NaN}]}',
        headers={"content-type": "application/json"},
    )
    assert nan.status_code in (400, 422)
    text = await client.post("/rum", content=b"LCP=1", headers={"content-type": "text/plain"})
    assert text.status_code == 415
