"""The upload pipeline's client-visible errors (codes listed in ``docs/errors.md``). Every refused
upload leaves nothing stored."""

from __future__ import annotations

from typing import Any

from mercenary.errors import MercenaryError, ServiceUnavailableError


class MalformedUploadError(MercenaryError):
    """The upload is not a well-formed `multipart/form-data` body with one file in its `file`
    part (a missing or second file, a missing boundary, a body cut short)."""

    status = 400
    code = "malformed_upload"
    title = "Malformed upload"


class FileTooLargeError(MercenaryError):
    """The file is larger than the route accepts (`max_bytes` says how large it may be); nothing
    was stored."""

    status = 413
    code = "file_too_large"
    title = "File too large"

    def __init__(self, max_bytes: int, **extra: Any) -> None:
        super().__init__(f"The file is larger than {max_bytes} bytes.", max_bytes=max_bytes, **extra)
        self.headers["Connection"] = "close"  # the rest of the body is not read


class UnsupportedFileTypeError(MercenaryError):
    """The file's content (its magic bytes, not its name or declared type) is not of a type the route
    accepts; `accepted` lists those it does."""

    status = 415
    code = "unsupported_file_type"
    title = "Unsupported file type"


class FileTypeMismatchError(MercenaryError):
    """The file's name says one type and its content another (e.g. a PDF named `.docx`); rename it
    to the type it is."""

    status = 415
    code = "file_type_mismatch"
    title = "File type mismatch"


class EmptyFileError(MercenaryError):
    """The file has no bytes."""

    status = 422
    code = "empty_file"
    title = "Empty file"


class CorruptFileError(MercenaryError):
    """The file is of an accepted type but broken: a PDF cut short (no `%%EOF` trailer), a DOCX
    that is not a readable Word archive."""

    status = 422
    code = "corrupt_file"
    title = "Corrupt file"


class UnsafeArchiveError(MercenaryError):
    """The DOCX archive is refused as a possible zip bomb: too many entries, too many bytes once
    unpacked, an unpacking ratio too high, or overlapping entries."""

    status = 422
    code = "unsafe_archive"
    title = "Unsafe archive"


class StorageUnavailableError(ServiceUnavailableError):
    """File storage cannot be reached (or its circuit breaker is open after recent failures):
    nothing was accepted. Retry after `Retry-After` seconds."""

    code = "storage_unavailable"
    title = "File storage unavailable"


class MultipartRequiredError(MercenaryError):
    """An upload route takes a `multipart/form-data` body (with its `boundary`), not this content type."""

    status = 415
    code = "multipart_required"
    title = "Multipart body required"


# Every refusal of an upload, in the order a body meets them: what each upload route declares
# (``@raises(*UPLOAD_ERRORS, ...)``) beside its own.
UPLOAD_ERRORS: tuple[type[MercenaryError], ...] = (
    MultipartRequiredError,
    MalformedUploadError,
    FileTooLargeError,
    EmptyFileError,
    UnsupportedFileTypeError,
    FileTypeMismatchError,
    CorruptFileError,
    UnsafeArchiveError,
    StorageUnavailableError,
)
