"""Hostile documents, made by the tests: small files that cost a parser a lot."""

from __future__ import annotations

import io
import zipfile

from mercenary.cvs import samples


def pdf_bomb(megabytes: int = 50) -> bytes:
    """A one-page PDF (about 3.5 KB per MB) whose content stream inflates to ``megabytes`` MB of
    text operators: PDFium inflates and parses it all to read the page's text."""
    line = b"BT /F1 10 Tf 50 800 Td (" + b"x" * 60 + b") Tj ET\n"
    chunk = line * 10_000
    deflate = __import__("zlib").compressobj(9)
    stream = b"".join(deflate.compress(chunk) for _ in range(megabytes * 2**20 // len(chunk)))
    stream += deflate.flush()
    template = samples.pdf(1)
    head, _, _ = template.partition(b"5 0 obj\n")
    body = b"5 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
    return _with_xref(head + body + b"\nendstream\nendobj\n")


def _with_xref(objects: bytes) -> bytes:
    """``objects`` (a header and numbered objects) with a fresh cross-reference table."""
    offsets = []
    at = 0
    while (at := objects.find(b" 0 obj\n", at)) != -1:
        start = objects.rfind(b"\n", 0, at) + 1
        offsets.append(start)
        at += 1
    xref = len(objects)
    table = b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    table += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return objects + table + trailer


def docx_with_body(paragraphs: int, words: str = "lorem ipsum dolor sit amet ") -> bytes:
    """A DOCX whose document.xml holds ``paragraphs`` paragraphs of ``words`` (it compresses about
    a hundred to one, under the upload's ratio checks when small)."""
    source = zipfile.ZipFile(io.BytesIO(samples.docx(1)))
    paragraph = f"<w:p><w:r><w:t>{words}</w:t></w:r></w:p>".encode()
    xml = source.read("word/document.xml")
    start = xml.index(b"<w:body>") + len(b"<w:body>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == "word/document.xml":
                target.writestr(item, xml[:start] + paragraph * paragraphs + xml[start:])
            else:
                target.writestr(item, source.read(item))
    return out.getvalue()
