"""Files to upload, made here: real PDFs and DOCX archives, and the hostile ones (a zip bomb, a
truncated PDF, a disguised executable) the upload pipeline must refuse."""

from __future__ import annotations

import functools
import io
import zipfile

from mercenary.cvs import samples as cv_samples

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
    'main+xml"/></Types>'
)


def pdf(text: str = "Hello", pages: int = 1) -> bytes:
    """A small valid PDF of ``pages`` pages, ``text`` on the first (the sample CVs' generator)."""
    return cv_samples.pdf(pages, (text,))


def docx(text: str = "Hello", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word document (what python-docx needs to open it) with ``extra`` entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


@functools.cache
def zip_bomb(unpacked: int = 200 * 1024 * 1024) -> bytes:
    """A DOCX-shaped archive with one entry of ``unpacked`` zero bytes (deflate packs it ~1000x)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            block = bytes(1024 * 1024)
            for _ in range(unpacked // len(block)):
                entry.write(block)
    return out.getvalue()


def many_entries(count: int) -> bytes:
    """A DOCX-shaped archive of ``count`` tiny entries."""
    return docx(extra={f"word/part{i}.xml": b"<x/>" for i in range(count)})


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(64)
