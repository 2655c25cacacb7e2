"""Sample CVs, written from scratch: a PDF (a few hundred bytes of hand-laid PDF 1.4, Helvetica
text) and a DOCX (python-docx). For trying the upload (``python -m mercenary.cvs.samples cv.pdf``),
the tests and ``benchmarks/cv_parse.py``; the service never calls this."""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from pathlib import Path

LINES = (
    "Ada Example - Senior backend engineer",
    "Ten years of Python and PostgreSQL; APIs with FastAPI, queues on Redis.",
    "Front ends in TypeScript when needed; infrastructure with Docker and Kubernetes.",
    "Education: MSc Computer Science.",
)
LINES_PER_PAGE = 40


def page_lines(pages: int, lines: Sequence[str] = LINES) -> list[list[str]]:
    """``pages`` pages: ``lines`` first, then filler prose, ``LINES_PER_PAGE`` lines a page."""
    out: list[list[str]] = []
    for n in range(pages):
        body = list(lines) if n == 0 else []
        while len(body) < LINES_PER_PAGE:
            body.append(f"Page {n + 1}, line {len(body) + 1}: delivered projects on time and on budget.")
        out.append(body)
    return out


def _escape(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf(pages: int = 1, lines: Sequence[str] = LINES) -> bytes:
    """A valid PDF of ``pages`` A4 pages of text, ``lines`` on the first."""
    objects: list[bytes] = []
    kids = []
    for n, page in enumerate(page_lines(pages, lines)):
        page_id, content_id = 4 + 2 * n, 5 + 2 * n
        kids.append(f"{page_id} 0 R".encode())
        stream = (
            b"BT /F1 10 Tf 50 800 Td 14 TL " + b" ".join(b"(" + _escape(t) + b") '" for t in page) + b" ET"
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents " + str(content_id).encode() + b" 0 R >>"
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate([*head, *objects], start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return out.getvalue()


def docx(pages: int = 1, lines: Sequence[str] = LINES) -> bytes:
    """A DOCX with the same text as :func:`pdf` (a page break between pages), and a table."""
    import docx as python_docx  # worker-side library: imported only here

    document = python_docx.Document()
    for n, body in enumerate(page_lines(pages, lines)):
        if n:
            document.add_page_break()  # type: ignore[no-untyped-call]
        for line in body:
            document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Tools"
    table.rows[0].cells[1].text = "Git, Linux"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main(argv: Sequence[str] = tuple(sys.argv[1:])) -> int:
    """``python -m mercenary.cvs.samples PATH [PAGES]``: write a sample CV (``.pdf`` or ``.docx``)."""
    if not argv:
        print("usage: python -m mercenary.cvs.samples PATH.pdf|PATH.docx [PAGES]", file=sys.stderr)
        return 2
    path = Path(argv[0])
    pages = int(argv[1]) if len(argv) > 1 else 1
    path.write_bytes(docx(pages) if path.suffix == ".docx" else pdf(pages))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
