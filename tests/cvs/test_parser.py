"""The CV parser: text and pages out of real PDF and DOCX files, and every limit a hostile file can
hit ends as a failure with a reason, in the sandboxed child, never in the caller."""

from __future__ import annotations

import io
import multiprocessing
import signal
import zipfile
from pathlib import Path

import pytest

from mercenary.cvs import samples
from mercenary.cvs.extract import DOCX, PDF, ExtractError, extract_text
from mercenary.cvs.parser import Limits, ParseFailure, Parser, _died, answer
from tests.cvs.documents import docx_with_body, pdf_bomb

LIMITS = Limits(timeout_s=10, memory_bytes=256 * 2**20, max_pages=50, max_chars=200_000)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(LIMITS)


def _fails(parser: Parser, data: bytes, media_type: str) -> ParseFailure:
    with pytest.raises(ParseFailure) as caught:
        parser.parse(data, media_type)
    return caught.value


def test_a_pdf_gives_its_text_and_pages(parser: Parser) -> None:
    result = parser.parse(samples.pdf(3), PDF)
    assert result.pages == 3
    assert "Ten years of Python and PostgreSQL" in result.text
    assert "Page 3, line 40" in result.text


def test_a_docx_gives_its_paragraphs_tables_and_page_breaks(parser: Parser) -> None:
    result = parser.parse(samples.docx(2), DOCX)
    assert result.pages == 2
    assert "infrastructure with Docker and Kubernetes" in result.text
    assert "Tools Git, Linux" in result.text


def test_page_cap(parser: Parser) -> None:
    few = Parser(Limits(timeout_s=10, memory_bytes=LIMITS.memory_bytes, max_pages=2, max_chars=200_000))
    for data, kind in ((samples.pdf(3), PDF), (samples.docx(3), DOCX)):
        failure = _fails(few, data, kind)
        assert (failure.reason, failure.message) == (
            "too_many_pages",
            "The document has 3 pages; at most 2 are read.",
        )
    assert few.parse(samples.pdf(2), PDF).pages == 2


def test_text_cap() -> None:
    short = Parser(Limits(timeout_s=10, memory_bytes=LIMITS.memory_bytes, max_pages=50, max_chars=1_000))
    for data, kind in ((samples.pdf(1), PDF), (samples.docx(1), DOCX)):
        assert _fails(short, data, kind).reason == "too_long"


def test_a_decompression_bomb_hits_the_memory_limit_in_the_child(parser: Parser) -> None:
    """176 KB of PDF whose page inflates to 50 MB of operators: PDFium runs out of its address
    space and aborts; the child dies, the caller gets the reason."""
    failure = _fails(parser, pdf_bomb(50), PDF)
    assert failure.reason == "parser_crashed"
    assert "needs more than 256 MB" in failure.message
    assert parser.parse(samples.pdf(1), PDF).pages == 1  # and the next document parses


def test_a_huge_docx_body_hits_the_memory_limit() -> None:
    small = Parser(Limits(timeout_s=30, memory_bytes=160 * 2**20, max_pages=50, max_chars=10**9))
    failure = _fails(small, docx_with_body(400_000), DOCX)
    assert (failure.reason, failure.message) == ("memory_limit", "Parsing needs more than 160 MB of memory.")


def test_a_slow_document_hits_the_wall_time_limit() -> None:
    hasty = Parser(Limits(timeout_s=0.5, memory_bytes=4096 * 2**20, max_pages=50, max_chars=10**9))
    failure = _fails(hasty, pdf_bomb(200), PDF)
    assert (failure.reason, failure.message) == ("timeout", "Parsing took longer than 0.5 s.")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (samples.pdf(2)[:400], PDF),  # truncated
        (b"%PDF-1.7\nnot really", PDF),
        (b"PK\x03\x04 not a zip", DOCX),
        (b"", DOCX),
    ],
)
def test_unreadable_files(parser: Parser, data: bytes, kind: str) -> None:
    assert _fails(parser, data, kind).reason == "unreadable"


def _with_document(body: bytes) -> bytes:
    """The sample DOCX with ``body`` as its ``word/document.xml``."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(samples.docx(1)))
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, body if item.filename == "word/document.xml" else source.read(item))
    return out.getvalue()


def test_a_zip_that_is_no_docx_is_unreadable(parser: Parser) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert _fails(parser, out.getvalue(), DOCX).reason == "unreadable"
    assert _fails(parser, _with_document(b"<w:document"), DOCX).reason == "unreadable"


def test_extraction_in_process() -> None:
    """The same rules without the sandbox (what the child runs)."""
    text, pages = extract_text(samples.pdf(1), PDF, max_pages=5, max_chars=100_000)
    assert (pages, text.splitlines()[0]) == (1, samples.LINES[0])
    with pytest.raises(ExtractError) as caught:
        extract_text(b"GIF89a", "image/gif", max_pages=5, max_chars=100_000)
    assert caught.value.reason == "unsupported_type"
    broken_xml = _with_document(b"<w:document")
    for data, kind, limits, reason in (
        (samples.docx(3), DOCX, (2, 100_000), "too_many_pages"),
        (samples.pdf(3), PDF, (2, 100_000), "too_many_pages"),
        (samples.pdf(1), PDF, (5, 1_000), "too_long"),
        (b"%PDF-1.4 junk", PDF, (5, 1_000), "unreadable"),
        (b"PK\x03\x04 junk", DOCX, (5, 1_000), "unreadable"),
        (broken_xml, DOCX, (5, 1_000), "unreadable"),
    ):
        with pytest.raises(ExtractError) as caught:
            extract_text(data, kind, max_pages=limits[0], max_chars=limits[1])
        assert caught.value.reason == reason


def test_samples_cli(tmp_path: Path) -> None:
    path = tmp_path / "cv.docx"
    assert samples.main([str(path), "2"]) == 0
    assert extract_text(path.read_bytes(), DOCX, max_pages=5, max_chars=100_000)[1] == 2
    assert samples.main([]) == 2


def test_what_the_child_answers() -> None:
    """The child's answer, in this process (the sandbox's children are beyond coverage's reach)."""
    for data, kind, expected in (
        (samples.pdf(1), PDF, "parsed"),
        (b"%PDF-1.4 junk", PDF, "failed"),
    ):
        receiver, sender = multiprocessing.Pipe(duplex=False)
        answer(sender, data, kind, LIMITS)
        assert receiver.recv()[0] == expected


def test_how_a_dead_child_reads() -> None:
    assert _died(-signal.SIGXCPU, LIMITS).reason == "timeout"
    assert _died(-signal.SIGSEGV, LIMITS).message.startswith("The parser stopped (SIGSEGV)")
    assert _died(1, LIMITS).message == "The parser stopped (exit code 1)."
