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
from typing import Any, NoReturn

import jinja2
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

# Building a font configuration (fontconfig's view of the installed fonts) took about a third of a
# render: each thread keeps one (they are not shared across threads).
_local = threading.local()


def _fonts() -> FontConfiguration:
    fonts: FontConfiguration | None = getattr(_local, "fonts", None)
    if fonts is None:
        fonts = _local.fonts = FontConfiguration()
    return fonts


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
    pdf: bytes = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(font_config=_fonts())
    return pdf
