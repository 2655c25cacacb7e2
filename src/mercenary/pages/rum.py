"""Real-user monitoring (002 §3.3): the pages post their Core Web Vitals here (``static/rum.js``,
with Google's web-vitals library), and each value is observed into a histogram by page route.

The report is validated like any input (a known route template, a known metric, a finite value in
a plausible range, at most one value per metric) and the endpoint is rate-limited per client
address like any anonymous request. It stores nothing else: no cookie is read, no user recorded.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import Field, model_validator
from starlette.responses import Response

from mercenary.observability.registry import histogram
from mercenary.web.schemas import Strict

router = APIRouter(tags=["pages"])

# The route templates of the pages (``<html data-route>``), the only label values a report may use.
Route = Literal[
    "/", "/projects/{project_id}", "/freelancers/{user_id}", "/login", "/signup", "/projects/new", "error"
]
# Buckets around the "good" and "poor" thresholds of each metric (web.dev/vitals).
TIME_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0)
CLS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0)
WEB_VITAL_SECONDS = histogram(
    "web_vital_seconds",
    "Core Web Vitals timings reported by browsers (LCP, INP, FCP, TTFB), by page route.",
    ("route", "metric"),
    buckets=TIME_BUCKETS,
)
WEB_VITAL_CLS = histogram(
    "web_vital_cls",
    "Cumulative Layout Shift reported by browsers, by page route (unitless).",
    ("route",),
    buckets=CLS_BUCKETS,
)


class Vital(Strict):
    """One metric's value: milliseconds for timings, a unitless score for CLS."""

    name: Literal["LCP", "INP", "CLS", "FCP", "TTFB"]
    value: Annotated[float, Field(ge=0, le=600_000, allow_inf_nan=False)]


class VitalsReport(Strict):
    """What a page reports when it is hidden: its route template and its metrics."""

    route: Route
    metrics: Annotated[list[Vital], Field(min_length=1, max_length=5)]

    @model_validator(mode="after")
    def _once_each(self) -> VitalsReport:
        names = [m.name for m in self.metrics]
        if len(set(names)) != len(names):
            raise ValueError("each metric at most once")
        if any(m.name == "CLS" and m.value > 100 for m in self.metrics):
            raise ValueError("CLS is a score, at most 100")
        return self


@router.post("/rum", status_code=204, response_class=Response)
async def record_vitals(body: VitalsReport) -> Response:
    """Record a page's web-vitals (LCP, INP, CLS; FCP and TTFB too) as metrics by route. Sent by the
    pages' own script with `navigator.sendBeacon`; nothing is stored but the histograms."""
    for metric in body.metrics:
        if metric.name == "CLS":
            WEB_VITAL_CLS.labels(body.route).observe(metric.value)
        else:
            WEB_VITAL_SECONDS.labels(body.route, metric.name).observe(metric.value / 1000)
    return Response(status_code=204)
