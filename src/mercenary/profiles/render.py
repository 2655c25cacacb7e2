"""The PDF profile's renderer (worker only): a Jinja2 HTML print template, laid out by WeasyPrint.

WeasyPrint (HTML and CSS paged media, fonts through fontconfig and Pango, so any script a name may
be written in) was measured against fpdf2: ~45 ms median per profile against fpdf2's ~9 ms with its
core fonts, but fpdf2 needs an embedded TrueType font for text beyond Latin-1, and then took ~400 ms
(docs/mail-and-pdf.md). The template is a designer's file, ``templates/profile.html``.

Every value is escaped by the template (autoescape), and the renderer fetches nothing: a URL in a
profile can never make the worker open a file or a connection.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib.resources import files
from typing import Any, NoReturn

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

# Building a font configuration (fontconfig's view of the installed fonts) and parsing the style
# sheet took about half of a render: each thread keeps its own (they are not shared across threads).
_local = threading.local()


def _prepared() -> tuple[FontConfiguration, CSS]:
    prepared: tuple[FontConfiguration, CSS] | None = getattr(_local, "prepared", None)
    if prepared is None:
        fonts = FontConfiguration()
        style = (files("mercenary.profiles") / "templates" / "profile.css").read_text()
        prepared = _local.prepared = (fonts, CSS(string=style, font_config=fonts, url_fetcher=_fetch_nothing))
    return prepared


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mercenary.profiles", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("profile.html")


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the profile template loads no resources ({url[:60]!r})")


def render_profile(content: dict[str, Any]) -> bytes:
    """The PDF of one profile (``profiles.pdf.document``'s content)."""
    html = _template().render(**content)
    fonts, style = _prepared()
    pdf: bytes = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(
        stylesheets=[style], font_config=fonts
    )
    return pdf
