"""What an upload is, judged by its bytes (files/content.py): types by magic bytes, PDF trailers,
DOCX archives and their zip-bomb limits."""

from __future__ import annotations

import io
import zipfile

import pytest

from mercenary.files import KINDS, ZipLimits
from mercenary.files.content import sniff, stored_name
from mercenary.files.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTypeMismatchError,
    UnsafeArchiveError,
    UnsupportedFileTypeError,
)
from tests.support import samples

DOCUMENTS = ("pdf", "docx", "png", "jpeg")


def judge(data: bytes, name: str = "file", accepted: tuple[str, ...] = DOCUMENTS, **limits: int) -> str:
    return sniff(io.BytesIO(data), len(data), name, accepted, ZipLimits(**limits)).name


def test_real_files_are_recognised_by_their_bytes_whatever_their_name() -> None:
    assert judge(samples.pdf(), "cv.pdf") == "pdf"
    assert judge(samples.pdf(), "cv") == "pdf"  # no extension: fine
    assert judge(samples.docx(), "CV.DOCX") == "docx"
    assert judge(samples.docx(), "cv.final") == "docx"  # an extension of no known type: fine
    assert judge(samples.PNG, "logo.png") == "png"


def test_a_type_disguised_by_its_extension_is_refused() -> None:
    for data in (samples.EXECUTABLE, samples.HTML, b"plain text, not a document"):
        with pytest.raises(UnsupportedFileTypeError) as refused:
            judge(data, "cv.pdf")
        assert refused.value.extra["accepted"] == list(DOCUMENTS)
    with pytest.raises(UnsupportedFileTypeError):  # a real PNG where only documents are taken
        judge(samples.PNG, "cv.png", accepted=("pdf", "docx"))


def test_a_name_of_another_accepted_type_is_a_mismatch() -> None:
    with pytest.raises(FileTypeMismatchError, match=r"named \.docx but its content is pdf"):
        judge(samples.pdf(), "cv.docx")
    with pytest.raises(FileTypeMismatchError):
        judge(samples.docx(), "cv.jpg")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(EmptyFileError):
        judge(b"", "cv.pdf")


def test_a_truncated_pdf_is_refused() -> None:
    whole = samples.pdf(pages=3)
    with pytest.raises(CorruptFileError, match="cut short"):
        judge(whole[: len(whole) // 2], "cv.pdf")
    with pytest.raises(CorruptFileError):
        judge(whole[:-7], "cv.pdf")  # only the trailer is missing


def test_a_zip_bomb_is_refused_by_its_unpacked_size_ratio_and_entries() -> None:
    with pytest.raises(UnsafeArchiveError, match="unpacks to more than"):
        judge(samples.zip_bomb(), "cv.docx")  # 200 MB of zeros in 200 kB
    with pytest.raises(UnsafeArchiveError, match="times its size"):
        judge(samples.zip_bomb(20 * 1024 * 1024), "cv.docx")  # under the size cap, far over the ratio
    with pytest.raises(UnsafeArchiveError, match="entries"):
        judge(samples.many_entries(1_001), "cv.docx")
    assert judge(samples.many_entries(50), "cv.docx") == "docx"
    with pytest.raises(UnsafeArchiveError, match="entries"):
        judge(samples.many_entries(50), "cv.docx", max_entries=20)


def test_overlapping_entries_are_refused() -> None:
    # Two directory entries pointing at the same data: their compressed sizes add up past the file.
    data = bytearray(samples.docx(extra={"word/media/a.bin": bytes(300_000)}))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    big = archive.getinfo("word/media/a.bin")
    start = data.rfind(b"PK\x01\x02")  # the last central directory record is a.bin's
    patched = data[:start] + data[start:].replace(
        big.compress_size.to_bytes(4, "little"), (len(data)).to_bytes(4, "little"), 1
    )
    with pytest.raises((UnsafeArchiveError, CorruptFileError)):
        judge(bytes(patched), "cv.docx")


def test_archives_that_are_not_word_documents_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", samples.CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnsupportedFileTypeError, match="not a Word document"):
        judge(out.getvalue(), "sheet.docx")
    with pytest.raises(UnsupportedFileTypeError, match="macros"):
        judge(samples.docx(extra={"word/vbaProject.bin": b"\x00" * 10}), "cv.docx")
    with pytest.raises(CorruptFileError, match="not a readable archive"):
        judge(b"PK\x03\x04" + bytes(100), "cv.docx")


def test_stored_names_get_their_kinds_extension() -> None:
    assert stored_name("cv.pdf", KINDS["pdf"]) == "cv.pdf"
    assert stored_name("cv", KINDS["pdf"]) == "cv.pdf"
    assert stored_name("photo.JPEG", KINDS["jpeg"]) == "photo.JPEG"
    assert stored_name("v1.2", KINDS["docx"]) == "v1.2.docx"
