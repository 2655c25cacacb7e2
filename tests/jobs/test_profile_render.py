"""The PDF profile's renderer (worker only): the print template laid out by WeasyPrint."""

from __future__ import annotations

from typing import Any

import pytest

from mercenary.profiles import render

CONTENT: dict[str, Any] = {
    "user_id": 7,
    "name": "Zo\u00eb \u5c71\u7530 \u0418\u0432\u0430\u043d\u043e\u0432\u0430",
    "headline": "Backends & <data> pipelines",
    "bio": 'Line one.\n<img src="file:///etc/passwd"> <link rel=stylesheet href="http://127.0.0.1:1/x.css">',
    "hourly_rate": 80,
    "availability": "available",
    "skills": ["python", "postgresql"],
    "rating": {"count": 2, "mean": 4.5, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}},
}


def test_a_profile_renders_to_a_pdf_with_its_metadata() -> None:
    pdf = render.render_profile(CONTENT)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) < 200_000  # fonts are subset: a one-page profile stays small


def test_the_template_escapes_every_value_and_loads_nothing() -> None:
    html = render._template().render(**CONTENT)
    assert "&lt;img src=" in html and "<img" not in html and "<link rel=stylesheet" not in html
    assert "Backends &amp; &lt;data&gt; pipelines" in html
    with pytest.raises(ValueError, match="loads no resources"):
        render._fetch_nothing("file:///etc/passwd")


def test_a_profile_without_reviews_or_skills() -> None:
    bare = {**CONTENT, "skills": [], "bio": "", "rating": {"count": 0, "mean": None, "distribution": {}}}
    html = render._template().render(**bare)
    assert "no reviews yet" in html and "None listed." in html and "About" not in html
    assert render.render_profile(bare).startswith(b"%PDF-")
