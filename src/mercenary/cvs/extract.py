"""Text out of a CV document: PDF through PDFium (pypdfium2), DOCX through python-docx.

Worker-side only: this module imports the parsing libraries at the top, so the parser's fork
server loads them once (``parser.py``) and the API never imports it (``tests/test_import_budget.py``).
Runs inside the parser's sandboxed child; a document that breaks a rule raises :class:`ExtractError`
with a stable reason code.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pypdfium2 as pdfium
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class ExtractError(Exception):
    """The document cannot be read within the rules; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def extract_text(data: bytes, media_type: str, *, max_pages: int, max_chars: int) -> tuple[str, int]:
    """The document's text and its page count (a DOCX counts its page breaks, plus one)."""
    if media_type == PDF:
        return _pdf(data, max_pages, max_chars)
    if media_type == DOCX:
        return _docx(data, max_pages, max_chars)
    raise ExtractError("unsupported_type", f"Cannot read {media_type}.")


class _Text:
    """Collects text and refuses more than ``max_chars`` characters."""

    def __init__(self, max_chars: int) -> None:
        self.parts: list[str] = []
        self.left = max_chars
        self.max_chars = max_chars

    def add(self, text: str) -> None:
        self.left -= len(text) + 1
        if self.left < 0:
            raise ExtractError("too_long", f"The text is longer than {self.max_chars:,} characters.")
        self.parts.append(text)

    def value(self) -> str:
        return "\n".join(self.parts)


def _too_many(pages: int, max_pages: int) -> ExtractError:
    return ExtractError("too_many_pages", f"The document has {pages} pages; at most {max_pages} are read.")


def _pdf(data: bytes, max_pages: int, max_chars: int) -> tuple[str, int]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:  # damaged, truncated, or protected by a password
        raise ExtractError("unreadable", f"Not a readable PDF ({exc}).") from exc
    try:
        pages = len(document)
        if pages > max_pages:
            raise _too_many(pages, max_pages)
        text = _Text(max_chars)
        for index in range(pages):
            page = document[index]
            textpage = page.get_textpage()
            text.add(textpage.get_text_range())
            textpage.close()
            page.close()
        return text.value(), pages
    finally:
        document.close()


def _docx(data: bytes, max_pages: int, max_chars: int) -> tuple[str, int]:
    try:
        document = docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        # libxml2 reports a failed allocation (under the sandbox's RLIMIT_AS) as a parse error.
        if exc.code == etree.ErrorTypes.ERR_NO_MEMORY:
            raise MemoryError from exc
        raise ExtractError("unreadable", "Not a readable DOCX (XMLSyntaxError).") from exc
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractError("unreadable", f"Not a readable DOCX ({type(exc).__name__}).") from exc
    body = document.element.body
    breaks = sum(1 for el in body.iter(f"{_W}br") if el.get(f"{_W}type") == "page")
    rendered = sum(1 for _ in body.iter(f"{_W}lastRenderedPageBreak"))
    pages = max(breaks, rendered) + 1
    if pages > max_pages:
        raise _too_many(pages, max_pages)
    text = _Text(max_chars)
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                text.add(" ".join(cell.text for cell in row.cells))
        else:
            text.add(block.text)
    return text.value(), pages
