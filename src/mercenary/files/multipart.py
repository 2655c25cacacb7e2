"""A ``multipart/form-data`` body read as it streams, its file spooled, with a byte cap.

Starlette's ``request.form()`` would do the parsing, but it accepts a file part of any size (its
limit is for text fields), and only after the whole body is in. Here python-multipart's parser (the
one Starlette drives) is fed the body chunk by chunk as it arrives: the file's bytes go to a spool
(in memory up to :data:`SPOOL_MEMORY_BYTES`, then a temporary file on disk, never in the upload
folder), and the request stops at the first byte past the cap, without reading the rest. So a
request costs at most a megabyte of memory whatever it sends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from mercenary.files.errors import FileTooLargeError, MalformedUploadError, MultipartRequiredError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

SPOOL_MEMORY_BYTES = 1024 * 1024
# What a body may hold beyond its file: the parts' boundaries and headers, and a few short fields.
FORM_OVERHEAD_BYTES = 64 * 1024
MAX_FIELDS = 8
MAX_FIELD_BYTES = 4 * 1024
FILE_PART = "file"


@dataclass
class ReceivedForm:
    """The upload's file (spooled, at position 0), its client-given name, and the text fields."""

    spool: SpooledTemporaryFile[bytes]
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    def on_disk(self) -> bool:
        """Whether the spool has moved to a temporary file (reads of it then block)."""
        return bool(getattr(self.spool, "_rolled", True))


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _Events:
    """The parser's callbacks, noted as they come; handled after each ``write`` (the callbacks are
    synchronous, the spool's writes on disk are not)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes, dict[bytes, bytes]]] = []
        self.ended = False
        self._field = bytearray()
        self._value = bytearray()
        self.headers: dict[bytes, bytes] = {}

    def callbacks(self) -> MultipartCallbacks:
        def data(kind: str):  # type: ignore[no-untyped-def]
            return lambda buf, start, end: self.events.append((kind, bytes(buf[start:end]), {}))

        def header_end() -> None:
            self.headers[bytes(self._field).lower()] = bytes(self._value)
            self._field.clear()
            self._value.clear()

        def begin() -> None:
            self.headers = {}

        def headers_finished() -> None:
            self.events.append(("headers", b"", self.headers))

        def end() -> None:
            self.ended = True

        return {
            "on_part_begin": begin,
            "on_part_data": data("data"),
            "on_part_end": lambda: self.events.append(("end", b"", {})),
            "on_header_field": lambda buf, start, end: self._field.extend(buf[start:end]),
            "on_header_value": lambda buf, start, end: self._value.extend(buf[start:end]),
            "on_header_end": header_end,
            "on_headers_finished": headers_finished,
            "on_end": end,
        }


def boundary_of(content_type: str | None) -> bytes:
    """The boundary of a ``multipart/form-data`` content type; 415 for any other type."""
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise MultipartRequiredError("Send the file as `multipart/form-data`, in a part named `file`.")
    boundary = options.get(b"boundary", b"")
    if not boundary or len(boundary) > 200:
        raise MalformedUploadError("The multipart content type has no valid boundary.")
    return boundary


def _filename(raw: str) -> str:
    """The client's file name without any folder, control or format characters, at most 200 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().strip(".")
    return name[-200:] or "file"


async def read_form(request: Request, *, max_bytes: int) -> ReceivedForm:
    """The upload in ``request``: its ``file`` part spooled (at most ``max_bytes``), its text fields.

    Raises 415 ``multipart_required``, 400 ``malformed_upload`` or 413 ``file_too_large``; the spool
    is closed (deleted) on any error."""
    boundary = boundary_of(request.headers.get("content-type"))
    body_cap = max_bytes + FORM_OVERHEAD_BYTES
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > body_cap:
        raise FileTooLargeError(max_bytes)
    events = _Events()
    parser = MultipartParser(boundary, events.callbacks())
    # Closed here on any error, else by the caller (SIM115: no block can span both).
    spool: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    form = ReceivedForm(spool, "", 0)
    part = _Part()
    seen = 0
    found = False
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > body_cap:
                raise FileTooLargeError(max_bytes)
            parser.write(chunk)
            for kind, data, headers in events.events:
                if kind == "headers":
                    part = _begin(headers, found)
                    if part.filename is not None:
                        found = True
                        form.filename = _filename(part.filename)
                elif kind == "data":
                    if part.filename is not None:
                        form.size += len(data)
                        if form.size > max_bytes:
                            raise FileTooLargeError(max_bytes)
                        await _write(spool, data, form)
                    else:
                        part.data.extend(data)
                        if len(part.data) > MAX_FIELD_BYTES:
                            raise MalformedUploadError(f"The field {part.name!r} is too long.")
                elif part.filename is None:  # the end of a text field
                    _keep_field(form, part)
            events.events.clear()
        parser.finalize()
    except MultipartParseError as exc:
        spool.close()
        raise MalformedUploadError(f"The multipart body cannot be read: {exc}") from None
    except ClientDisconnect:
        spool.close()
        raise MalformedUploadError("The body ended before the upload was complete.") from None
    except BaseException:
        spool.close()
        raise
    if not events.ended or not found:
        spool.close()
        what = "ended before its closing boundary" if not events.ended else "has no part named `file`"
        raise MalformedUploadError(f"The multipart body {what}.")
    spool.seek(0)
    return form


def _begin(headers: dict[bytes, bytes], found: bool) -> _Part:
    disposition, options = parse_options_header(headers.get(b"content-disposition"))
    if disposition != b"form-data" or b"name" not in options:
        raise MalformedUploadError("Each part needs `Content-Disposition: form-data; name=...`.")
    name = options[b"name"].decode("utf-8", "replace")
    filename = options.get(b"filename")
    if filename is None:
        return _Part(name)
    if name != FILE_PART:
        raise MalformedUploadError(f"The file goes in the part named `{FILE_PART}`, not {name!r}.")
    if found:
        raise MalformedUploadError("Send one file per upload.")
    return _Part(name, filename.decode("utf-8", "replace"))


def _keep_field(form: ReceivedForm, part: _Part) -> None:
    if part.name == FILE_PART:
        raise MalformedUploadError(f"The part `{FILE_PART}` must be a file (with a `filename`).")
    if len(form.fields) >= MAX_FIELDS or part.name in form.fields:
        raise MalformedUploadError("Too many fields, or a field given twice.")
    try:
        form.fields[part.name] = part.data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedUploadError(f"The field {part.name!r} is not UTF-8 text.") from None


async def _write(spool: IO[bytes], data: bytes, form: ReceivedForm) -> None:
    if form.on_disk():
        await asyncio.to_thread(spool.write, data)
    else:
        spool.write(data)
