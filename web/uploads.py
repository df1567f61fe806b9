"""A batch's upload, received as it streams: every file written to disk as its bytes come
(never held in memory, nor spooled whole anywhere first), judged by its first bytes as
``sohoa process`` judges its inputs (``intake.sniff``: an image or a PDF), refused
past the size limit (413) -- at once where the request says its length, else as the
bytes pass the limit.

The form's CSRF token is checked before any file is written: sent as the
``X-CSRF-Token`` header (the JSON API), or as the form's ``csrf_token`` field placed
before the files (browsers send a form's fields in the order of the page). A file part
that comes before a valid token is refused (403) unread.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fastapi import HTTPException, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from sohoa.pipeline.errors import InputFileError
from sohoa.pipeline.intake import sniff

from .batches import BatchSettings, safe_name
from .security import CSRF_FIELD, CSRF_HEADER

#: the bytes ``intake.sniff`` reads to judge a file
HEAD = 1024
#: multipart's own bytes (boundaries, part headers, the small fields) beyond the files
OVERHEAD = 1 * 2**20
MAX_FIELD = 4096
MAX_FIELDS = 20
FORBIDDEN = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; xin tải lại trang."


@dataclass
class _File:
    name: str  # as the clerk's computer named it
    path: Path
    out: IO[bytes]
    size: int = 0
    judged: bool = False
    ended: bool = False


@dataclass
class Received:
    """What the upload held: the files (name as sent, name kept, size) and the fields."""

    files: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


class _Upload:
    def __init__(
        self, folder: Path, settings: BatchSettings, csrf_valid: Callable[[str], bool]
    ) -> None:
        self.folder, self.settings, self.csrf_valid = folder, settings, csrf_valid
        self.verified = False
        self.complete = False  # the closing boundary came
        self.files: list[_File] = []
        self.fields: dict[str, str] = {}
        self.total = 0
        self._pending: list[tuple[_File, bytes]] = []
        self._headers: list[tuple[bytes, bytes]] = []
        self._name, self._value = b"", b""
        self._field: tuple[str, bytearray] | None = None
        self._file: _File | None = None
        self._skip = False

    # python-multipart's callbacks: no disk here (they run on the event loop)

    def on_part_begin(self) -> None:
        self._headers, self._field, self._file, self._skip = [], None, None, False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers.append((self._name.lower(), self._value))
        self._name, self._value = b"", b""

    def on_headers_finished(self) -> None:
        disposition = dict(self._headers).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.fields) >= MAX_FIELDS:
                raise HTTPException(400, "Biểu mẫu có quá nhiều ô.")
            self._field = (name, bytearray())
            return
        filename = _display_name(options[b"filename"].decode("utf-8", "replace"))
        if not filename:  # a file input left empty: browsers send an empty part
            self._skip = True
            return
        if not self.verified:
            raise HTTPException(403, FORBIDDEN)
        if len(self.files) >= self.settings.max_files:
            raise HTTPException(413, f"Quá nhiều tệp (tối đa {self.settings.max_files}).")
        number = len(self.files) + 1
        path = self.folder / f"{number:03d}-{safe_name(filename)}"
        self._file = _File(filename, path, path.open("xb"))
        self.files.append(self._file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is not None:
            self.total += len(chunk)
            if self.total > self.settings.max_bytes:
                raise _too_large(self.settings)
            self._pending.append((self._file, chunk))
        elif self._field is not None:
            if len(self._field[1]) + len(chunk) > MAX_FIELD:
                raise HTTPException(400, "Một ô của biểu mẫu quá dài.")
            self._field[1].extend(chunk)

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.ended = True
        elif self._field is not None:
            name, value = self._field[0], self._field[1].decode("utf-8", "replace")
            self.fields[name] = value
            if name == CSRF_FIELD and not self.verified:
                if not self.csrf_valid(value):
                    raise HTTPException(403, FORBIDDEN)
                self.verified = True

    def on_end(self) -> None:
        self.complete = True

    # in a worker thread, between chunks: the bytes to disk, each file judged

    def flush(self) -> None:
        for file, chunk in self._pending:
            file.out.write(chunk)
            file.size += len(chunk)
        self._pending.clear()
        for file in self.files:
            if not file.judged and (file.ended or file.size >= HEAD):
                file.out.flush()
                if file.size == 0:
                    raise HTTPException(400, f"Tệp «{file.name}» trống.")
                try:
                    sniff(file.path)
                except InputFileError:
                    raise HTTPException(
                        415, f"Tệp «{file.name}» không phải ảnh quét (JPEG, PNG, TIFF) hay PDF."
                    ) from None
                file.judged = True

    def close(self) -> None:
        for file in self.files:
            file.out.close()


async def receive(
    request: Request,
    folder: Path,
    settings: BatchSettings,
    csrf_valid: Callable[[str], bool],
) -> Received:
    """The upload's files written into ``folder`` and its fields; raises a 4xx sentence
    (the caller removes ``folder``)."""
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise HTTPException(415, "Lô quét phải được gửi dưới dạng biểu mẫu multipart/form-data.")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.max_bytes + OVERHEAD:
        raise _too_large(settings)
    upload = _Upload(folder, settings, csrf_valid)
    header = request.headers.get(CSRF_HEADER)
    if header is not None:
        if not csrf_valid(header):
            raise HTTPException(403, FORBIDDEN)
        upload.verified = True
    callbacks: Any = {
        name: getattr(upload, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_end",
        )
    }
    parser = MultipartParser(options[b"boundary"], callbacks)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            await run_in_threadpool(upload.flush)
        parser.finalize()
        await run_in_threadpool(upload.flush)
    except FormParserError:
        raise HTTPException(400, "Dữ liệu gửi lên không đọc được.") from None
    except ClientDisconnect:
        raise HTTPException(400, "Dữ liệu gửi lên không trọn vẹn; xin gửi lại.") from None
    finally:
        upload.close()
    if not upload.verified:
        raise HTTPException(403, FORBIDDEN)
    if not upload.complete:
        raise HTTPException(400, "Dữ liệu gửi lên không trọn vẹn; xin gửi lại.")
    if not upload.files:
        raise HTTPException(400, "Chưa chọn tệp nào để tải lên.")
    return Received(
        [{"name": f.name, "stored": f.path.name, "size": f.size} for f in upload.files],
        {k: v for k, v in upload.fields.items() if k != CSRF_FIELD},
    )


def _too_large(settings: BatchSettings) -> HTTPException:
    return HTTPException(413, f"Lô quét quá lớn (tối đa {megabytes(settings.max_bytes)} MB).")


def megabytes(size: int) -> str:
    """``size`` in MB as a Vietnamese reader writes it: 500, 0,5."""
    value = size / 2**20
    return str(round(value)) if value >= 10 else f"{value:.1f}".replace(".", ",")


def _display_name(raw: str) -> str:
    """A file's name as sent, without the folders some browsers put before it."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return "".join(ch for ch in name if ch.isprintable())[:200]
