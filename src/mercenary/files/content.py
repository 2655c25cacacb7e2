"""What an uploaded file is, judged by its bytes (SEC-3): its type from its magic bytes (puremagic),
never from the name or the type the client declared, then the checks of that type.

- PDF: the ``%PDF-`` header, and a ``%%EOF`` marker in the last kilobyte (where readers look for it):
  a file cut short in transfer has none. Parsing the rest is the worker's job, in a sandbox.
- DOCX: a zip archive read through its central directory only (nothing is unpacked here), refused
  as a possible zip bomb past :data:`ZipLimits` (entries, bytes once unpacked, unpacking ratio) or
  when its entries overlap (compressed sizes adding up to more than the file: the trick of
  non-recursive zip bombs); then it must be a Word document (``word/document.xml``), without macros.
  Python's zipfile, which python-docx reads with, never inflates an entry past the size its
  directory declares, so the declared sizes checked here bound what the worker can be made to unpack.
- PNG, JPEG: the magic bytes are enough.

A file whose name has the extension of another accepted type (a PDF named ``.docx``) is refused:
one of the two is a lie, and the caller should say which.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import puremagic

from mercenary.files.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTypeMismatchError,
    UnsafeArchiveError,
    UnsupportedFileTypeError,
)

HEAD_BYTES = 8 * 1024  # what the sniffer reads: every signature it knows sits in the first kilobytes
PDF_TAIL_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Kind:
    """A file type an upload route may accept."""

    name: str
    media_type: str
    extensions: tuple[str, ...]  # the first is the one a stored file's name gets


KINDS = {
    kind.name: kind
    for kind in (
        Kind("pdf", "application/pdf", (".pdf",)),
        Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
        Kind("png", "image/png", (".png",)),
        Kind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    )
}


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """How much a DOCX may unpack to. A real CV or brief has tens of entries and unpacks to a few MB
    (images are stored compressed already); the ratio of its XML is rarely over 20."""

    max_entries: int = 1_000
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100  # unpacked / packed, for the archive and for any entry over 64 kB unpacked


def sniff(file: IO[bytes], size: int, filename: str, accepted: tuple[str, ...], limits: ZipLimits) -> Kind:
    """The kind of ``file`` (``size`` bytes, at position 0), one of ``accepted``, checked as its kind
    requires; raises the upload error that says why not. Blocking: call it in a worker thread when
    the file is on disk."""
    if size == 0:
        raise EmptyFileError("The file is empty.")
    head = file.read(HEAD_BYTES)
    try:
        found = puremagic.magic_string(head)
    except puremagic.PureError:
        found = []
    media_types = {match.mime_type for match in found}
    kind = next((KINDS[name] for name in accepted if KINDS[name].media_type in media_types), None)
    if kind is None and "docx" in accepted and head.startswith(b"PK\x03\x04"):
        kind = KINDS["docx"]  # any zip: the archive check below says whether it is a Word document
    if kind is None:
        names = ", ".join(accepted)
        raise UnsupportedFileTypeError(
            f"The file's content is not one of: {names} (its name and declared type are not trusted).",
            accepted=list(accepted),
        )
    _check_name(filename, kind)
    if kind.name == "pdf":
        _check_pdf(file, size)
    elif kind.name == "docx":
        _check_docx(file, size, limits, accepted)
    return kind


def stored_name(filename: str, kind: Kind) -> str:
    """The name a download gets: the client's, with its kind's extension if it had none of them."""
    if PurePosixPath(filename).suffix.lower() in kind.extensions:
        return filename
    return filename + kind.extensions[0]


def _check_name(filename: str, kind: Kind) -> None:
    suffix = PurePosixPath(filename).suffix.lower()
    for other in KINDS.values():
        if other is not kind and suffix in other.extensions:
            raise FileTypeMismatchError(f"The file is named {suffix} but its content is {kind.name}.")


def _check_pdf(file: IO[bytes], size: int) -> None:
    file.seek(max(0, size - PDF_TAIL_BYTES))
    if b"%%EOF" not in file.read():
        raise CorruptFileError("The PDF is incomplete (no %%EOF at its end): it was cut short.")


def _check_docx(file: IO[bytes], size: int, limits: ZipLimits, accepted: tuple[str, ...]) -> None:
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CorruptFileError(f"The DOCX is not a readable archive ({exc}).") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise UnsafeArchiveError(f"The archive has more than {limits.max_entries} entries.")
        unpacked = sum(e.file_size for e in entries)
        packed = sum(e.compress_size for e in entries)
        if unpacked > limits.max_unpacked_bytes:
            raise UnsafeArchiveError(f"The archive unpacks to more than {limits.max_unpacked_bytes} bytes.")
        if packed > size:
            raise UnsafeArchiveError("The archive's entries overlap.")
        if unpacked > limits.max_ratio * max(size, 1) or any(
            e.file_size > 64 * 1024 and e.file_size > limits.max_ratio * max(e.compress_size, 1)
            for e in entries
        ):
            raise UnsafeArchiveError(f"The archive unpacks more than {limits.max_ratio} times its size.")
        if any(e.flag_bits & 0x1 for e in entries):
            raise CorruptFileError("The DOCX is encrypted.")
        names = {e.filename for e in entries}
    if "word/vbaProject.bin" in names:
        raise UnsupportedFileTypeError("Documents with macros are not accepted.", accepted=list(accepted))
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise UnsupportedFileTypeError(
            "The archive is not a Word document (no word/document.xml).", accepted=list(accepted)
        )
